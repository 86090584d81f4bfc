// Every Admin GraphQL document Afterglow sends. Each export is a complete document tagged
// #graphql so Shopify's codegen preset types it (app/types/admin.generated.d.ts), and
// test/unit/admin-queries.test.ts validates every export against Shopify's real schema.
// Export nothing else from this file.

// Shop.brand exists only in the Storefront API; the Admin API has no shop logo to read.
// billingAddress is deprecated for shopAddress, which only arrives in 2026-01.
export const SHOP_PROFILE_QUERY = `#graphql
  query ShopProfile {
    shop {
      name
      email
      contactEmail
      currencyCode
      ianaTimezone
      primaryDomain {
        url
      }
      billingAddress {
        formatted(withCompany: false)
      }
      plan {
        partnerDevelopment
      }
    }
    shopLocales(published: true) {
      locale
      primary
    }
  }
`;

// The store's own addresses: the only recipients a merchant's test email may have. Staff members'
// addresses (staffMembers) need read_users and a Plus or Advanced plan, which the app does not ask for.
export const TEST_SEND_RECIPIENTS_QUERY = `#graphql
  query TestSendRecipients {
    shop {
      email
      contactEmail
    }
  }
`;

// What a recommendation card needs, plus what decides whether the product may be shown.
// Variants come most-stocked first so a product with any sellable variant shows one here.
export const RECOMMENDATION_CANDIDATE_FRAGMENT = `#graphql
  fragment RecommendationCandidate on Product {
    id
    title
    handle
    status
    onlineStoreUrl
    featuredMedia {
      preview {
        image {
          url
          altText
        }
      }
    }
    priceRangeV2 {
      minVariantPrice {
        amount
        currencyCode
      }
    }
    totalInventory
    tracksInventory
    variants(first: 3, sortKey: INVENTORY_QUANTITY, reverse: true) {
      nodes {
        availableForSale
      }
    }
    contextualPricing(context: { country: $country }) @include(if: $withContextualPricing) {
      minVariantPricing {
        price {
          amount
          currencyCode
        }
      }
    }
  }
`;

// The Admin API has no productRecommendations: Search & Discovery keeps the merchant's
// complementary and related products in these two list.product_reference metafields.
export const RECOMMENDATION_INPUTS_QUERY = `#graphql
  query RecommendationInputs($ids: [ID!]!, $country: CountryCode, $withContextualPricing: Boolean!) {
    nodes(ids: $ids) {
      ... on Product {
        id
        complementary: metafield(
          namespace: "shopify--discovery--product_recommendation"
          key: "complementary_products"
        ) {
          references(first: 6) {
            nodes {
              ... on Product {
                ...RecommendationCandidate
              }
            }
          }
        }
        related: metafield(namespace: "shopify--discovery--product_recommendation", key: "related_products") {
          references(first: 6) {
            nodes {
              ... on Product {
                ...RecommendationCandidate
              }
            }
          }
        }
        collections(first: 3) {
          nodes {
            id
          }
        }
      }
    }
  }
  ${RECOMMENDATION_CANDIDATE_FRAGMENT}
`;

export const COLLECTION_BEST_SELLERS_QUERY = `#graphql
  query CollectionBestSellers($id: ID!, $first: Int!, $country: CountryCode, $withContextualPricing: Boolean!) {
    collection(id: $id) {
      id
      products(first: $first, sortKey: BEST_SELLING) {
        nodes {
          ...RecommendationCandidate
        }
      }
    }
  }
  ${RECOMMENDATION_CANDIDATE_FRAGMENT}
`;

// Consent lives on the default email address; Customer.email and emailMarketingConsent are deprecated.
export const CUSTOMER_EMAIL_CONSENT_QUERY = `#graphql
  query CustomerEmailConsent($id: ID!) {
    customer(id: $id) {
      id
      defaultEmailAddress {
        emailAddress
        marketingState
        marketingOptInLevel
        marketingUpdatedAt
      }
    }
  }
`;

// The same for many customers in one request (a dispatcher pass's marketing emails).
export const CUSTOMER_EMAIL_CONSENTS_QUERY = `#graphql
  query CustomerEmailConsents($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        defaultEmailAddress {
          emailAddress
          marketingState
          marketingOptInLevel
          marketingUpdatedAt
        }
      }
    }
  }
`;

// Shopify accepts only SUBSCRIBED, UNSUBSCRIBED and PENDING here; needs write_customers.
export const CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION = `#graphql
  mutation CustomerEmailConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer {
        id
        defaultEmailAddress {
          emailAddress
          marketingState
          marketingOptInLevel
          marketingUpdatedAt
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// The buyer of an order, as the thank-you page's sign-up checks it: the order's email and its
// customer's consent (read_orders, read_customers).
export const ORDER_BUYER_QUERY = `#graphql
  query OrderBuyer($id: ID!) {
    order(id: $id) {
      id
      email
      customer {
        id
        defaultEmailAddress {
          emailAddress
          marketingState
          marketingOptInLevel
          marketingUpdatedAt
        }
      }
    }
  }
`;

// Entry conditions on product types, product tags and collections: facts no order webhook
// carries, read once per order at its first send (read_products).
export const PRODUCT_FACTS_QUERY = `#graphql
  query ProductFacts($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        id
        productType
        tags
        collections(first: 50) {
          nodes {
            id
          }
        }
      }
    }
  }
`;

// Whether an order is the shop's: a webhook body whose order_status_url cannot tell is checked
// against the shop's own Admin API before anything is stored (Shopify signs the body, not the shop).
export const ORDER_OF_SHOP_QUERY = `#graphql
  query OrderOfShop($id: ID!) {
    order(id: $id) {
      id
    }
  }
`;

// Customer tags and order count: webhooks from 2025-01 leave them out of the order's customer.
export const CUSTOMER_FACTS_QUERY = `#graphql
  query CustomerFacts($id: ID!) {
    customer(id: $id) {
      id
      tags
      numberOfOrders
    }
  }
`;

// What the care guide, review request and replenishment reminder show of the purchased products.
// What a customer bought before, newest orders first, so a follow-up never offers it again.
// 10 orders of 25 lines keep the requested cost near 520 points. Without read_all_orders Shopify
// shows only the last 60 days of orders; our own order rows cover what came before.
export const CUSTOMER_PURCHASE_HISTORY_QUERY = `#graphql
  query CustomerPurchaseHistory($id: ID!, $orders: Int!, $lines: Int!) {
    customer(id: $id) {
      id
      orders(first: $orders, sortKey: CREATED_AT, reverse: true) {
        nodes {
          id
          lineItems(first: $lines) {
            nodes {
              product {
                id
              }
            }
          }
        }
      }
    }
  }
`;

// Whether a customer is in the segments a flow's or step's conditions name, and their names for
// the skip reason. Asked when the follow-up goes out: segment membership changes over time.
export const CUSTOMER_SEGMENT_MEMBERSHIP_QUERY = `#graphql
  query CustomerSegmentMembership($customerId: ID!, $segmentIds: [ID!]!) {
    customerSegmentMembership(customerId: $customerId, segmentIds: $segmentIds) {
      memberships {
        segmentId
        isMember
      }
    }
    segments: nodes(ids: $segmentIds) {
      ... on Segment {
        id
        name
      }
    }
  }
`;

// The shop's customer segments, for the conditions editor's picker.
export const SHOP_SEGMENTS_QUERY = `#graphql
  query ShopSegments($first: Int!) {
    segments(first: $first, sortKey: CREATION_DATE) {
      nodes {
        id
        name
      }
    }
  }
`;

// The product types and tags the shop uses, offered as suggestions where a merchant names them
// (a care guide's tips). Shopify answers at most 1,000 types and 5,000 tags a page.
export const SHOP_PRODUCT_TYPES_QUERY = `#graphql
  query ShopProductTypes($first: Int!) {
    productTypes(first: $first) {
      nodes
    }
  }
`;

export const SHOP_PRODUCT_TAGS_QUERY = `#graphql
  query ShopProductTags($first: Int!) {
    productTags(first: $first) {
      nodes
    }
  }
`;

export const PURCHASED_PRODUCTS_QUERY = `#graphql
  query PurchasedProducts($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        id
        title
        handle
        onlineStoreUrl
        productType
        tags
        featuredMedia {
          preview {
            image {
              url
              altText
            }
          }
        }
      }
    }
  }
`;

// A cross-sell's single-use code; needs write_discounts. `context` replaces the deprecated
// customerSelection; percentage is a fraction (0.15 for 15%).
export const DISCOUNT_CODE_CREATE_MUTATION = `#graphql
  mutation DiscountCodeCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
        extraInfo
      }
    }
  }
`;

// What intake keeps of an order read from the Admin API (orderFactsFromAdminOrder): the
// reconciliation's listing and the Shopify Flow action's single order read the same fields.
export const INTAKE_ORDER_FRAGMENT = `#graphql
  fragment IntakeOrder on Order {
    id
    name
    email
    createdAt
    processedAt
    updatedAt
    cancelledAt
    customerLocale
    currencyCode
    presentmentCurrencyCode
    customer {
      id
      firstName
    }
    billingAddress {
      firstName
      countryCodeV2
      provinceCode
      zip
    }
    shippingAddress {
      countryCodeV2
      provinceCode
      zip
    }
    totalPriceSet {
      shopMoney {
        amount
      }
      presentmentMoney {
        amount
        currencyCode
      }
    }
    subtotalPriceSet {
      presentmentMoney {
        amount
      }
    }
    lineItems(first: 20) {
      nodes {
        product {
          id
        }
      }
    }
  }
`;

// Missed-webhook reconciliation: the orders changed since a time, oldest change first, with what
// intake keeps of an order. An order of up to 20 lines costs about 51 points: pages of ten stay
// well under Shopify's 1000-point limit per query (twenty would exceed it).
export const ORDERS_UPDATED_SINCE_QUERY = `#graphql
  query OrdersUpdatedSince($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...IntakeOrder
      }
    }
  }
  ${INTAKE_ORDER_FRAGMENT}
`;

// The order a Shopify Flow action run names (Flow sends only its id); null when the shop has no
// such order.
export const INTAKE_ORDER_QUERY = `#graphql
  query IntakeOrder($id: ID!) {
    order(id: $id) {
      ...IntakeOrder
    }
  }
  ${INTAKE_ORDER_FRAGMENT}
`;

// The logo upload (files.server.ts): a staged target for the bytes, then a file in the shop's
// Files made from it, then the file read until Shopify has processed it.
export const STAGED_UPLOADS_CREATE_MUTATION = `#graphql
  mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const FILE_CREATE_MUTATION = `#graphql
  mutation FileCreate($files: [FileCreateInput!]!) {
    fileCreate(files: $files) {
      files {
        id
        fileStatus
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// A file we put in the shop's Files and no longer use (a replaced logo).
export const FILE_DELETE_MUTATION = `#graphql
  mutation FileDelete($fileIds: [ID!]!) {
    fileDelete(fileIds: $fileIds) {
      deletedFileIds
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const FILE_STATUS_QUERY = `#graphql
  query FileStatus($id: ID!) {
    node(id: $id) {
      ... on MediaImage {
        id
        fileStatus
        fileErrors {
          code
          message
        }
        image {
          url
        }
      }
      ... on GenericFile {
        id
        fileStatus
        fileErrors {
          code
          message
        }
        url
      }
    }
  }
`;

// A flow as an external marketing activity in Shopify's Marketing section (write_marketing_events).
// The adapter sends several in one request as aliased copies of this field (marketing.server.ts).
export const MARKETING_ACTIVITY_UPSERT_MUTATION = `#graphql
  mutation MarketingActivityUpsert($input: MarketingActivityUpsertExternalInput!) {
    marketingActivityUpsertExternal(input: $input) {
      marketingActivity {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// Billing: a subscription to one of the app's plans, which the merchant approves or declines at
// confirmationUrl; Shopify then sends them to returnUrl and the app_subscriptions/update webhook.
export const APP_SUBSCRIPTION_CREATE_MUTATION = `#graphql
  mutation AppSubscriptionCreate(
    $name: String!
    $returnUrl: URL!
    $test: Boolean
    $trialDays: Int
    $lineItems: [AppSubscriptionLineItemInput!]!
  ) {
    appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, trialDays: $trialDays, lineItems: $lineItems) {
      appSubscription {
        id
        name
        status
        test
        createdAt
        currentPeriodEnd
      }
      confirmationUrl
      userErrors {
        field
        message
      }
    }
  }
`;

// Billing: the merchant's own "Switch to Free": the subscription ends now, without a prorated refund
// (Shopify's default); Shopify then sends app_subscriptions/update with CANCELLED.
export const APP_SUBSCRIPTION_CANCEL_MUTATION = `#graphql
  mutation AppSubscriptionCancel($id: ID!, $prorate: Boolean) {
    appSubscriptionCancel(id: $id, prorate: $prorate) {
      appSubscription {
        id
        name
        status
        test
        createdAt
        currentPeriodEnd
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// One day's numbers of a flow's activity, found by its remoteId (write_marketing_events).
export const MARKETING_ENGAGEMENT_CREATE_MUTATION = `#graphql
  mutation MarketingEngagementCreate($remoteId: String!, $marketingEngagement: MarketingEngagementInput!) {
    marketingEngagementCreate(remoteId: $remoteId, marketingEngagement: $marketingEngagement) {
      marketingEngagement {
        occurredOn
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

// Starts the shop's Shopify Flow workflows that begin with one of Afterglow's triggers. The handle
// is the trigger extension's; the payload holds its fields (app/domain/flow-triggers.ts). Shopify
// answers refusals (an unknown handle, a payload that does not fit) as userErrors.
export const FLOW_TRIGGER_RECEIVE_MUTATION = `#graphql
  mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

// The subscriptions the shop pays the app for now (ACTIVE, or in a trial, which is ACTIVE too).
export const ACTIVE_SUBSCRIPTIONS_QUERY = `#graphql
  query ActiveSubscriptions {
    currentAppInstallation {
      activeSubscriptions {
        id
        name
        status
        test
        createdAt
        currentPeriodEnd
      }
    }
  }
`;
