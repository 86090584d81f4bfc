// The follow-up emails' words in the five languages we ship: the fixed strings a merchant does
// not edit (buttons, footer, labels) and the default content of each template, which the merchant
// may replace. {placeholders} in fixed strings are filled by the email; {{ variables }} in default
// content are filled like merchant text.

export const EMAIL_LANGUAGES = ["en", "pl", "de", "fr", "es"] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

export interface EmailStrings {
  orderLine: string; // {order}
  recommendationsHeading: string;
  viewProduct: string;
  purchasedHeading: string;
  writeReview: string;
  // A star link's text alternative: "Rate {rating} out of 5".
  rateStars: string;
  reorder: string;
  discountHeading: string; // {percent}
  discountCodeLabel: string;
  discountValidUntil: string; // {date}
  discountOneOrder: string;
  faqHeading: string;
  visitStore: string;
  unsubscribePrompt: string;
  unsubscribe: string;
}

const STRINGS: Record<EmailLanguage, EmailStrings> = {
  en: {
    orderLine: "Order {order}",
    recommendationsHeading: "You might also like",
    viewProduct: "View product",
    purchasedHeading: "Your order",
    writeReview: "Write a review",
    rateStars: "Rate {rating} out of 5",
    reorder: "Order again",
    discountHeading: "{percent} off your next order",
    discountCodeLabel: "Your code",
    discountValidUntil: "Valid until {date}, for one order.",
    discountOneOrder: "Valid for one order.",
    faqHeading: "Questions?",
    visitStore: "Visit our store",
    unsubscribePrompt: "Don't want these emails?",
    unsubscribe: "Unsubscribe",
  },
  pl: {
    orderLine: "Zamówienie {order}",
    recommendationsHeading: "Może Ci się spodobać",
    viewProduct: "Zobacz produkt",
    purchasedHeading: "Twoje zamówienie",
    writeReview: "Napisz opinię",
    rateStars: "Oceń na {rating} z 5",
    reorder: "Zamów ponownie",
    discountHeading: "{percent} zniżki na kolejne zamówienie",
    discountCodeLabel: "Twój kod",
    discountValidUntil: "Ważny do {date}, na jedno zamówienie.",
    discountOneOrder: "Ważny na jedno zamówienie.",
    faqHeading: "Masz pytania?",
    visitStore: "Odwiedź nasz sklep",
    unsubscribePrompt: "Nie chcesz otrzymywać tych e-maili?",
    unsubscribe: "Wypisz się",
  },
  de: {
    orderLine: "Bestellung {order}",
    recommendationsHeading: "Das könnte Ihnen auch gefallen",
    viewProduct: "Produkt ansehen",
    purchasedHeading: "Ihre Bestellung",
    writeReview: "Bewertung schreiben",
    rateStars: "Mit {rating} von 5 bewerten",
    reorder: "Erneut bestellen",
    discountHeading: "{percent} Rabatt auf Ihre nächste Bestellung",
    discountCodeLabel: "Ihr Code",
    discountValidUntil: "Gültig bis {date} für eine Bestellung.",
    discountOneOrder: "Gültig für eine Bestellung.",
    faqHeading: "Fragen?",
    visitStore: "Besuchen Sie unseren Shop",
    unsubscribePrompt: "Sie möchten diese E-Mails nicht mehr erhalten?",
    unsubscribe: "Abmelden",
  },
  fr: {
    orderLine: "Commande {order}",
    recommendationsHeading: "Vous aimerez aussi",
    viewProduct: "Voir le produit",
    purchasedHeading: "Votre commande",
    writeReview: "Laisser un avis",
    rateStars: "Noter {rating} sur 5",
    reorder: "Commander à nouveau",
    discountHeading: "{percent} de réduction sur votre prochaine commande",
    discountCodeLabel: "Votre code",
    discountValidUntil: "Valable jusqu'au {date}, pour une commande.",
    discountOneOrder: "Valable pour une commande.",
    faqHeading: "Des questions\u00a0?",
    visitStore: "Visiter notre boutique",
    unsubscribePrompt: "Vous ne souhaitez plus recevoir ces e-mails\u00a0?",
    unsubscribe: "Se désabonner",
  },
  es: {
    orderLine: "Pedido {order}",
    recommendationsHeading: "También te puede gustar",
    viewProduct: "Ver producto",
    purchasedHeading: "Tu pedido",
    writeReview: "Escribir una reseña",
    rateStars: "Valorar con {rating} de 5",
    reorder: "Volver a pedir",
    discountHeading: "{percent} de descuento en tu próximo pedido",
    discountCodeLabel: "Tu código",
    discountValidUntil: "Válido hasta el {date} para un pedido.",
    discountOneOrder: "Válido para un pedido.",
    faqHeading: "¿Preguntas?",
    visitStore: "Visita nuestra tienda",
    unsubscribePrompt: "¿No quieres recibir estos correos?",
    unsubscribe: "Darse de baja",
  },
};

// Default content: what a template says until the merchant writes their own.
// `products` marks where the template's product list goes; `discount` where the code goes.
export interface DefaultContentText {
  subject: string;
  previewText: string;
  heading: string;
  body: string;
  closing?: string;
}

export type TemplateKey = "thank-you" | "care-guide" | "review-request" | "cross-sell" | "replenishment";

const DEFAULTS: Record<TemplateKey, Record<EmailLanguage, DefaultContentText>> = {
  "thank-you": {
    en: {
      subject: "Thank you for your order {{ order.name }}",
      previewText: "Thank you for your order {{ order.name }} from {{ shop.name }}",
      heading: 'Thank you, {{ customer.first_name | default: "friend" }}',
      body: "We're so glad you chose {{ shop.name }}. Your order is in good hands, and we hope you love it as much as we enjoyed putting it together.",
    },
    pl: {
      subject: "Dziękujemy za zamówienie {{ order.name }}",
      previewText: "Dziękujemy za zamówienie {{ order.name }} w {{ shop.name }}",
      heading: 'Dziękujemy, {{ customer.first_name | default: "drogi Kliencie" }}',
      body: "Cieszymy się, że wybrano {{ shop.name }}. Twoje zamówienie jest w dobrych rękach i mamy nadzieję, że spodoba Ci się tak bardzo, jak nam przyjemność sprawiło jego przygotowanie.",
    },
    de: {
      subject: "Vielen Dank für Ihre Bestellung {{ order.name }}",
      previewText: "Vielen Dank für Ihre Bestellung {{ order.name }} bei {{ shop.name }}",
      heading: 'Vielen Dank, {{ customer.first_name | default: "liebe Kundin, lieber Kunde" }}',
      body: "Schön, dass Sie sich für {{ shop.name }} entschieden haben. Ihre Bestellung ist in guten Händen, und wir hoffen, dass sie Ihnen so gut gefällt, wie es uns Freude gemacht hat, sie zusammenzustellen.",
    },
    fr: {
      subject: "Merci pour votre commande {{ order.name }}",
      previewText: "Merci pour votre commande {{ order.name }} chez {{ shop.name }}",
      heading: 'Merci, {{ customer.first_name | default: "cher client" }}',
      body: "Nous sommes ravis que vous ayez choisi {{ shop.name }}. Votre commande est entre de bonnes mains, et nous espérons qu'elle vous plaira autant que nous avons aimé la préparer.",
    },
    es: {
      subject: "Gracias por tu pedido {{ order.name }}",
      previewText: "Gracias por tu pedido {{ order.name }} en {{ shop.name }}",
      heading: 'Gracias, {{ customer.first_name | default: "amigo" }}',
      body: "Nos alegra mucho que hayas elegido {{ shop.name }}. Tu pedido está en buenas manos y esperamos que te guste tanto como a nosotros prepararlo.",
    },
  },
  "care-guide": {
    en: {
      subject: "Getting the most from your {{ product.title }}",
      previewText: "A few tips for your order {{ order.name }}",
      heading: "How to care for your new things",
      body: 'Hi {{ customer.first_name | default: "there" }}, here are a few tips to help your purchase look and work its best for years.',
      closing: "Anything else you would like to know? Just reply to this email.",
    },
    pl: {
      subject: "Jak najlepiej korzystać z {{ product.title }}",
      previewText: "Kilka wskazówek do zamówienia {{ order.name }}",
      heading: "Jak dbać o nowe zakupy",
      body: 'Cześć {{ customer.first_name | default: "" }}, oto kilka wskazówek, dzięki którym Twój zakup będzie wyglądał i działał świetnie przez lata.',
      closing: "Chcesz wiedzieć coś jeszcze? Po prostu odpowiedz na tego e-maila.",
    },
    de: {
      subject: "So haben Sie lange Freude an {{ product.title }}",
      previewText: "Ein paar Tipps zu Ihrer Bestellung {{ order.name }}",
      heading: "So pflegen Sie Ihre neuen Stücke",
      body: 'Hallo {{ customer.first_name | default: "" }}, hier sind ein paar Tipps, damit Ihr Einkauf viele Jahre lang schön bleibt und gut funktioniert.',
      closing: "Möchten Sie noch etwas wissen? Antworten Sie einfach auf diese E-Mail.",
    },
    fr: {
      subject: "Profitez au mieux de votre {{ product.title }}",
      previewText: "Quelques conseils pour votre commande {{ order.name }}",
      heading: "Comment prendre soin de vos achats",
      body: 'Bonjour {{ customer.first_name | default: "" }}, voici quelques conseils pour que votre achat reste beau et fonctionne parfaitement pendant des années.',
      closing: "Une autre question\u00a0? Répondez simplement à cet e-mail.",
    },
    es: {
      subject: "Saca el máximo partido a tu {{ product.title }}",
      previewText: "Algunos consejos para tu pedido {{ order.name }}",
      heading: "Cómo cuidar tus nuevas compras",
      body: 'Hola {{ customer.first_name | default: "" }}, aquí tienes algunos consejos para que tu compra luzca y funcione perfectamente durante años.',
      closing: "¿Quieres saber algo más? Solo tienes que responder a este correo.",
    },
  },
  "review-request": {
    en: {
      subject: "How are you finding your {{ product.title }}?",
      previewText: "Your review helps other shoppers at {{ shop.name }}",
      heading: 'What do you think, {{ customer.first_name | default: "friend" }}?',
      body: "It's been a little while since your order {{ order.name }} arrived. A short review helps other shoppers and means a lot to us.",
    },
    pl: {
      subject: "Jak sprawdza się {{ product.title }}?",
      previewText: "Twoja opinia pomaga innym klientom {{ shop.name }}",
      heading: "Co o tym myślisz?",
      body: "Minęło trochę czasu, odkąd dotarło zamówienie {{ order.name }}. Krótka opinia pomoże innym klientom i wiele dla nas znaczy.",
    },
    de: {
      subject: "Wie gefällt Ihnen {{ product.title }}?",
      previewText: "Ihre Bewertung hilft anderen Kunden von {{ shop.name }}",
      heading: "Was meinen Sie?",
      body: "Ihre Bestellung {{ order.name }} ist vor einiger Zeit angekommen. Eine kurze Bewertung hilft anderen Kunden und bedeutet uns viel.",
    },
    fr: {
      subject: "Que pensez-vous de votre {{ product.title }}\u00a0?",
      previewText: "Votre avis aide les autres clients de {{ shop.name }}",
      heading: "Qu'en pensez-vous\u00a0?",
      body: "Votre commande {{ order.name }} est arrivée il y a quelque temps. Un petit avis aide les autres clients et compte beaucoup pour nous.",
    },
    es: {
      subject: "¿Qué tal tu {{ product.title }}?",
      previewText: "Tu reseña ayuda a otros clientes de {{ shop.name }}",
      heading: "¿Qué te parece?",
      body: "Hace un tiempo que llegó tu pedido {{ order.name }}. Una reseña breve ayuda a otros clientes y significa mucho para nosotros.",
    },
  },
  "cross-sell": {
    en: {
      subject: 'Picked for you, {{ customer.first_name | default: "friend" }}',
      previewText: "Goes well with your last order from {{ shop.name }}",
      heading: "You might love these too",
      body: "Based on your order {{ order.name }}, we think these would make a great match.",
    },
    pl: {
      subject: "Wybrane specjalnie dla Ciebie",
      previewText: "Pasuje do Twojego ostatniego zamówienia w {{ shop.name }}",
      heading: "To też może Ci się spodobać",
      body: "Na podstawie zamówienia {{ order.name }} sądzimy, że te produkty świetnie do niego pasują.",
    },
    de: {
      subject: "Für Sie ausgewählt",
      previewText: "Passt zu Ihrer letzten Bestellung bei {{ shop.name }}",
      heading: "Das könnte Ihnen auch gefallen",
      body: "Passend zu Ihrer Bestellung {{ order.name }} haben wir diese Stücke für Sie ausgesucht.",
    },
    fr: {
      subject: "Sélectionné pour vous",
      previewText: "Pour accompagner votre dernière commande chez {{ shop.name }}",
      heading: "Vous pourriez aussi adorer",
      body: "D'après votre commande {{ order.name }}, nous pensons que ces articles vous plairont.",
    },
    es: {
      subject: "Elegido para ti",
      previewText: "Combina con tu último pedido en {{ shop.name }}",
      heading: "Esto también te puede encantar",
      body: "Según tu pedido {{ order.name }}, creemos que estos productos combinan a la perfección.",
    },
  },
  replenishment: {
    en: {
      subject: "Time to restock your {{ product.title }}?",
      previewText: "Reorder in a few clicks from {{ shop.name }}",
      heading: "Running low?",
      body: 'Hi {{ customer.first_name | default: "there" }}, it has been a while since your order {{ order.name }}. If you are running low, you can order again in a few clicks.',
    },
    pl: {
      subject: "Czas uzupełnić {{ product.title }}?",
      previewText: "Zamów ponownie w kilka kliknięć w {{ shop.name }}",
      heading: "Kończy się?",
      body: "Minęło trochę czasu od zamówienia {{ order.name }}. Jeśli zapas się kończy, możesz zamówić ponownie w kilka kliknięć.",
    },
    de: {
      subject: "Zeit, {{ product.title }} nachzubestellen?",
      previewText: "In wenigen Klicks nachbestellen bei {{ shop.name }}",
      heading: "Geht der Vorrat zur Neige?",
      body: "Ihre Bestellung {{ order.name }} ist schon eine Weile her. Wenn der Vorrat knapp wird, können Sie mit wenigen Klicks nachbestellen.",
    },
    fr: {
      subject: "Il est temps de racheter {{ product.title }}\u00a0?",
      previewText: "Recommandez en quelques clics chez {{ shop.name }}",
      heading: "Bientôt à court\u00a0?",
      body: "Votre commande {{ order.name }} date un peu. Si vous arrivez au bout, vous pouvez recommander en quelques clics.",
    },
    es: {
      subject: "¿Es hora de reponer {{ product.title }}?",
      previewText: "Vuelve a pedir en pocos clics en {{ shop.name }}",
      heading: "¿Se te está acabando?",
      body: "Ha pasado un tiempo desde tu pedido {{ order.name }}. Si te queda poco, puedes volver a pedir en pocos clics.",
    },
  },
};

// "pl-PL", "pl_PL", "PL" -> "pl"; anything we do not ship -> null.
export function emailLanguageOf(tag: string | null | undefined): EmailLanguage | null {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return (EMAIL_LANGUAGES as readonly string[]).includes(primary) ? (primary as EmailLanguage) : null;
}

// The customer's language when we ship it, else the shop's primary language, else English.
export function pickEmailLanguage({
  customerLocale,
  shopLocale,
}: {
  customerLocale: string | null | undefined;
  shopLocale: string | null | undefined;
}): EmailLanguage {
  return emailLanguageOf(customerLocale) ?? emailLanguageOf(shopLocale) ?? "en";
}

export function emailStrings(lang: EmailLanguage): EmailStrings {
  return STRINGS[lang];
}

export function defaultContentText(template: TemplateKey, lang: EmailLanguage): DefaultContentText {
  return DEFAULTS[template][lang];
}

// One pass over {name} placeholders, so a value containing "{date}" stays as written.
export function fillEmailString(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
