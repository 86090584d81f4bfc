// purchase.thank-you.block.render: the Thank you page right after checkout.
import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import { SignUpBlock } from './SignUpBlock';

export default async () => {
  render(<ThankYouPage />, document.body);
};

function ThankYouPage() {
  // Signals: reading .value here re-renders the block when Shopify updates them.
  const customer = shopify.buyerIdentity?.customer.value;
  return (
    <SignUpBlock
      orderId={shopify.orderConfirmation.value.order.id}
      email={shopify.buyerIdentity?.email.value}
      subscribed={customer?.acceptsEmailMarketing === true}
      sessionToken={() => shopify.sessionToken.get()}
    />
  );
}
