// Strings of the public unsubscribe page. {shop} and {email} are filled in by the page.
// The "all" hint stays honest: Shopify's own receipts and shipping emails are not ours to stop.

export const UNSUBSCRIBE_LANGUAGES = ["en", "pl", "de", "fr", "es"] as const;
export type UnsubscribeLanguage = (typeof UNSUBSCRIBE_LANGUAGES)[number];

export interface UnsubscribeStrings {
  title: string;
  intro: string;
  serviceHint: string;
  thisKind: string;
  thisKindHint: string;
  all: string;
  allHint: string;
  doneThisKind: string;
  doneAll: string;
  mistake: string;
  resubscribe: string;
  resubscribed: string;
  failed: string;
  invalidTitle: string;
  invalidBody: string;
}

const STRINGS: Record<UnsubscribeLanguage, UnsubscribeStrings> = {
  en: {
    title: "Email preferences",
    intro: "Emails from {shop} to {email}",
    serviceHint: "This email was about your order.",
    thisKind: "Unsubscribe from this kind of email",
    thisKindHint: "Offers and recommendations after a purchase. You'll still get emails about your orders.",
    all: "Unsubscribe from all emails from {shop}",
    allHint: "You'll also be removed from {shop}'s email marketing. The shop may still send receipts and shipping updates for your orders.",
    doneThisKind: "Done. {shop} won't send you emails like this any more.",
    doneAll: "Done. You're unsubscribed from all emails from {shop}.",
    mistake: "Unsubscribed by mistake?",
    resubscribe: "Resubscribe",
    resubscribed: "Done. You'll get emails from {shop} again.",
    failed: "That didn't work. Please try again.",
    invalidTitle: "This link is not valid",
    invalidBody: "It may be incomplete or changed. Use the unsubscribe link in the latest email from the shop, or contact the shop directly.",
  },
  pl: {
    title: "Ustawienia e-maili",
    intro: "E-maile od {shop} na adres {email}",
    serviceHint: "Ten e-mail dotyczył Twojego zamówienia.",
    thisKind: "Wypisz mnie z tego rodzaju e-maili",
    thisKindHint: "Oferty i polecenia po zakupie. E-maile dotyczące Twoich zamówień będą nadal przychodzić.",
    all: "Wypisz mnie ze wszystkich e-maili od {shop}",
    allHint: "Twój adres zostanie też wypisany z e-mail marketingu sklepu {shop}. Sklep może nadal wysyłać potwierdzenia i informacje o wysyłce Twoich zamówień.",
    doneThisKind: "Gotowe. {shop} nie będzie już wysyłać Ci takich e-maili.",
    doneAll: "Gotowe. Twój adres został wypisany ze wszystkich e-maili od {shop}.",
    mistake: "Wypisano przez pomyłkę?",
    resubscribe: "Zapisz mnie ponownie",
    resubscribed: "Gotowe. Znów będziesz otrzymywać e-maile od {shop}.",
    failed: "Nie udało się. Spróbuj ponownie.",
    invalidTitle: "Ten link jest nieprawidłowy",
    invalidBody: "Mógł zostać skrócony lub zmieniony. Użyj linku do wypisania się z najnowszego e-maila od sklepu albo skontaktuj się bezpośrednio ze sklepem.",
  },
  de: {
    title: "E-Mail-Einstellungen",
    intro: "E-Mails von {shop} an {email}",
    serviceHint: "Diese E-Mail betraf Ihre Bestellung.",
    thisKind: "Von dieser Art E-Mail abmelden",
    thisKindHint: "Angebote und Empfehlungen nach einem Kauf. E-Mails zu Ihren Bestellungen erhalten Sie weiterhin.",
    all: "Von allen E-Mails von {shop} abmelden",
    allHint: "Sie werden auch vom E-Mail-Marketing von {shop} abgemeldet. Bestellbestätigungen und Versandinformationen kann der Shop weiterhin senden.",
    doneThisKind: "Erledigt. {shop} sendet Ihnen keine E-Mails dieser Art mehr.",
    doneAll: "Erledigt. Sie sind von allen E-Mails von {shop} abgemeldet.",
    mistake: "Versehentlich abgemeldet?",
    resubscribe: "Wieder anmelden",
    resubscribed: "Erledigt. Sie erhalten wieder E-Mails von {shop}.",
    failed: "Das hat nicht geklappt. Bitte versuchen Sie es erneut.",
    invalidTitle: "Dieser Link ist ungültig",
    invalidBody: "Er ist möglicherweise unvollständig oder wurde verändert. Verwenden Sie den Abmeldelink aus der neuesten E-Mail des Shops oder wenden Sie sich direkt an den Shop.",
  },
  fr: {
    title: "Préférences e-mail",
    intro: "E-mails de {shop} à {email}",
    serviceHint: "Cet e-mail concernait votre commande.",
    thisKind: "Me désabonner de ce type d'e-mails",
    thisKindHint: "Offres et recommandations après un achat. Vous continuerez à recevoir les e-mails concernant vos commandes.",
    all: "Me désabonner de tous les e-mails de {shop}",
    allHint: "Votre adresse sera aussi retirée des e-mails marketing de {shop}. La boutique peut continuer à envoyer les confirmations et les informations d'expédition de vos commandes.",
    doneThisKind: "C'est fait. {shop} ne vous enverra plus ce type d'e-mails.",
    doneAll: "C'est fait. Votre adresse est désabonnée de tous les e-mails de {shop}.",
    mistake: "Désabonnement par erreur\u00a0?",
    resubscribe: "Me réabonner",
    resubscribed: "C'est fait. Vous recevrez à nouveau les e-mails de {shop}.",
    failed: "Une erreur s'est produite. Veuillez réessayer.",
    invalidTitle: "Ce lien n'est pas valide",
    invalidBody: "Il est peut-être incomplet ou a été modifié. Utilisez le lien de désabonnement du dernier e-mail de la boutique, ou contactez directement la boutique.",
  },
  es: {
    title: "Preferencias de correo",
    intro: "Correos de {shop} a {email}",
    serviceHint: "Este correo trataba sobre tu pedido.",
    thisKind: "Darme de baja de este tipo de correos",
    thisKindHint: "Ofertas y recomendaciones después de una compra. Seguirás recibiendo los correos sobre tus pedidos.",
    all: "Darme de baja de todos los correos de {shop}",
    allHint: "Tu dirección también se dará de baja del marketing por correo de {shop}. La tienda puede seguir enviando confirmaciones e información de envío de tus pedidos.",
    doneThisKind: "Listo. {shop} ya no te enviará correos de este tipo.",
    doneAll: "Listo. Tu dirección se ha dado de baja de todos los correos de {shop}.",
    mistake: "¿Te diste de baja por error?",
    resubscribe: "Volver a suscribirme",
    resubscribed: "Listo. Volverás a recibir correos de {shop}.",
    failed: "Algo salió mal. Inténtalo de nuevo.",
    invalidTitle: "Este enlace no es válido",
    invalidBody: "Puede que esté incompleto o se haya modificado. Usa el enlace para darte de baja del correo más reciente de la tienda o contacta directamente con la tienda.",
  },
};

function supported(tag: string | null | undefined): UnsubscribeLanguage | null {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return (UNSUBSCRIBE_LANGUAGES as readonly string[]).includes(primary ?? "") ? (primary as UnsubscribeLanguage) : null;
}

// ?lang= (the email knows the order's language) first, then the browser's Accept-Language.
export function pickUnsubscribeLanguage(
  query: string | null | undefined,
  acceptLanguage: string | null | undefined,
): UnsubscribeLanguage {
  const fromQuery = supported(query);
  if (fromQuery) return fromQuery;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const lang = supported(entry.tag);
    if (lang) return lang;
  }
  return "en";
}

export function unsubscribeStrings(lang: UnsubscribeLanguage): UnsubscribeStrings {
  return STRINGS[lang];
}

export function fillUnsubscribeText(template: string, values: { shop: string; email?: string }): string {
  // One pass, so a shop named "{email}" stays a name.
  return template.replace(/\{(shop|email)\}/g, (_, key: "shop" | "email") => values[key] ?? "");
}
