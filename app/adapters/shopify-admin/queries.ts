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
        }
        shippingAddress {
          countryCodeV2
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
    }
  }
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
