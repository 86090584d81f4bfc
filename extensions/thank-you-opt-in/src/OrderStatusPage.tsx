// customer-account.order-status.block.render: the Order status page a buyer comes back to.
import '@shopify/ui-extensions/preact';
import { render } from 'preact';
import { SignUpBlock } from './SignUpBlock';

export default async () => {
  render(<OrderStatusPage />, document.body);
};

function OrderStatusPage() {
  // This page's customer carries acceptsMarketing only; the app checks email consent itself.
  const customer = shopify.buyerIdentity?.customer.value;
  return (
    <SignUpBlock
      orderId={shopify.order.value?.id}
      email={shopify.buyerIdentity?.email.value}
      subscribed={customer?.acceptsMarketing === true}
      sessionToken={() => shopify.sessionToken.get()}
    />
  );
}
