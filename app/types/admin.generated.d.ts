/* eslint-disable eslint-comments/disable-enable-pair */
/* eslint-disable eslint-comments/no-unlimited-disable */
/* eslint-disable */
import type * as AdminTypes from './admin.types.js';

export type ShopProfileQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ShopProfileQuery = { shop: (
    Pick<AdminTypes.Shop, 'name' | 'email' | 'contactEmail' | 'currencyCode' | 'ianaTimezone'>
    & { primaryDomain: Pick<AdminTypes.Domain, 'url'>, billingAddress: Pick<AdminTypes.ShopAddress, 'formatted'>, plan: Pick<AdminTypes.ShopPlan, 'partnerDevelopment'> }
  ), shopLocales: Array<Pick<AdminTypes.ShopLocale, 'locale' | 'primary'>> };

export type TestSendRecipientsQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type TestSendRecipientsQuery = { shop: Pick<AdminTypes.Shop, 'email' | 'contactEmail'> };

export type RecommendationCandidateFragment = (
  Pick<AdminTypes.Product, 'id' | 'title' | 'handle' | 'status' | 'onlineStoreUrl' | 'totalInventory' | 'tracksInventory'>
  & { featuredMedia?: AdminTypes.Maybe<{ preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }>, priceRangeV2: { minVariantPrice: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, variants: { nodes: Array<Pick<AdminTypes.ProductVariant, 'availableForSale'>> }, contextualPricing?: { minVariantPricing?: AdminTypes.Maybe<{ price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }> } }
);

export type RecommendationInputsQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
  country?: AdminTypes.InputMaybe<AdminTypes.CountryCode>;
  withContextualPricing: AdminTypes.Scalars['Boolean']['input'];
}>;


export type RecommendationInputsQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id'>
    & { complementary?: AdminTypes.Maybe<{ references?: AdminTypes.Maybe<{ nodes: Array<AdminTypes.Maybe<(
          Pick<AdminTypes.Product, 'id' | 'title' | 'handle' | 'status' | 'onlineStoreUrl' | 'totalInventory' | 'tracksInventory'>
          & { featuredMedia?: AdminTypes.Maybe<{ preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }>, priceRangeV2: { minVariantPrice: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, variants: { nodes: Array<Pick<AdminTypes.ProductVariant, 'availableForSale'>> }, contextualPricing?: { minVariantPricing?: AdminTypes.Maybe<{ price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }> } }
        )>> }> }>, related?: AdminTypes.Maybe<{ references?: AdminTypes.Maybe<{ nodes: Array<AdminTypes.Maybe<(
          Pick<AdminTypes.Product, 'id' | 'title' | 'handle' | 'status' | 'onlineStoreUrl' | 'totalInventory' | 'tracksInventory'>
          & { featuredMedia?: AdminTypes.Maybe<{ preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }>, priceRangeV2: { minVariantPrice: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, variants: { nodes: Array<Pick<AdminTypes.ProductVariant, 'availableForSale'>> }, contextualPricing?: { minVariantPricing?: AdminTypes.Maybe<{ price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }> } }
        )>> }> }>, collections: { nodes: Array<Pick<AdminTypes.Collection, 'id'>> } }
  )>> };

export type CollectionBestSellersQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  first: AdminTypes.Scalars['Int']['input'];
  country?: AdminTypes.InputMaybe<AdminTypes.CountryCode>;
  withContextualPricing: AdminTypes.Scalars['Boolean']['input'];
}>;


export type CollectionBestSellersQuery = { collection?: AdminTypes.Maybe<(
    Pick<AdminTypes.Collection, 'id'>
    & { products: { nodes: Array<(
        Pick<AdminTypes.Product, 'id' | 'title' | 'handle' | 'status' | 'onlineStoreUrl' | 'totalInventory' | 'tracksInventory'>
        & { featuredMedia?: AdminTypes.Maybe<{ preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }>, priceRangeV2: { minVariantPrice: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, variants: { nodes: Array<Pick<AdminTypes.ProductVariant, 'availableForSale'>> }, contextualPricing?: { minVariantPricing?: AdminTypes.Maybe<{ price: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }> } }
      )> } }
  )> };

export type CustomerEmailConsentQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type CustomerEmailConsentQuery = { customer?: AdminTypes.Maybe<(
    Pick<AdminTypes.Customer, 'id'>
    & { defaultEmailAddress?: AdminTypes.Maybe<Pick<AdminTypes.CustomerEmailAddress, 'emailAddress' | 'marketingState' | 'marketingOptInLevel' | 'marketingUpdatedAt'>> }
  )> };

export type CustomerEmailConsentsQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type CustomerEmailConsentsQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.Customer, 'id'>
    & { defaultEmailAddress?: AdminTypes.Maybe<Pick<AdminTypes.CustomerEmailAddress, 'emailAddress' | 'marketingState' | 'marketingOptInLevel' | 'marketingUpdatedAt'>> }
  )>> };

export type CustomerEmailConsentUpdateMutationVariables = AdminTypes.Exact<{
  input: AdminTypes.CustomerEmailMarketingConsentUpdateInput;
}>;


export type CustomerEmailConsentUpdateMutation = { customerEmailMarketingConsentUpdate?: AdminTypes.Maybe<{ customer?: AdminTypes.Maybe<(
      Pick<AdminTypes.Customer, 'id'>
      & { defaultEmailAddress?: AdminTypes.Maybe<Pick<AdminTypes.CustomerEmailAddress, 'emailAddress' | 'marketingState' | 'marketingOptInLevel' | 'marketingUpdatedAt'>> }
    )>, userErrors: Array<Pick<AdminTypes.CustomerEmailMarketingConsentUpdateUserError, 'field' | 'message' | 'code'>> }> };

export type OrderBuyerQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type OrderBuyerQuery = { order?: AdminTypes.Maybe<(
    Pick<AdminTypes.Order, 'id' | 'email'>
    & { customer?: AdminTypes.Maybe<(
      Pick<AdminTypes.Customer, 'id'>
      & { defaultEmailAddress?: AdminTypes.Maybe<Pick<AdminTypes.CustomerEmailAddress, 'emailAddress' | 'marketingState' | 'marketingOptInLevel' | 'marketingUpdatedAt'>> }
    )> }
  )> };

export type ProductFactsQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type ProductFactsQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id' | 'productType' | 'tags'>
    & { collections: { nodes: Array<Pick<AdminTypes.Collection, 'id'>> } }
  )>> };

export type OrderOfShopQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type OrderOfShopQuery = { order?: AdminTypes.Maybe<Pick<AdminTypes.Order, 'id'>> };

export type CustomerFactsQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type CustomerFactsQuery = { customer?: AdminTypes.Maybe<Pick<AdminTypes.Customer, 'id' | 'tags' | 'numberOfOrders'>> };

export type CustomerPurchaseHistoryQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  orders: AdminTypes.Scalars['Int']['input'];
  lines: AdminTypes.Scalars['Int']['input'];
}>;


export type CustomerPurchaseHistoryQuery = { customer?: AdminTypes.Maybe<(
    Pick<AdminTypes.Customer, 'id'>
    & { orders: { nodes: Array<(
        Pick<AdminTypes.Order, 'id'>
        & { lineItems: { nodes: Array<{ product?: AdminTypes.Maybe<Pick<AdminTypes.Product, 'id'>> }> } }
      )> } }
  )> };

export type CustomerSegmentMembershipQueryVariables = AdminTypes.Exact<{
  customerId: AdminTypes.Scalars['ID']['input'];
  segmentIds: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type CustomerSegmentMembershipQuery = { customerSegmentMembership: { memberships: Array<Pick<AdminTypes.SegmentMembership, 'segmentId' | 'isMember'>> }, segments: Array<AdminTypes.Maybe<Pick<AdminTypes.Segment, 'id' | 'name'>>> };

export type ShopSegmentsQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
}>;


export type ShopSegmentsQuery = { segments: { nodes: Array<Pick<AdminTypes.Segment, 'id' | 'name'>> } };

export type ShopProductTypesQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
}>;


export type ShopProductTypesQuery = { productTypes?: AdminTypes.Maybe<Pick<AdminTypes.StringConnection, 'nodes'>> };

export type ShopProductTagsQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
}>;


export type ShopProductTagsQuery = { productTags?: AdminTypes.Maybe<Pick<AdminTypes.StringConnection, 'nodes'>> };

export type PurchasedProductsQueryVariables = AdminTypes.Exact<{
  ids: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type PurchasedProductsQuery = { nodes: Array<AdminTypes.Maybe<(
    Pick<AdminTypes.Product, 'id' | 'title' | 'handle' | 'onlineStoreUrl' | 'productType' | 'tags'>
    & { featuredMedia?: AdminTypes.Maybe<{ preview?: AdminTypes.Maybe<{ image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url' | 'altText'>> }> }> }
  )>> };

export type DiscountCodeCreateMutationVariables = AdminTypes.Exact<{
  basicCodeDiscount: AdminTypes.DiscountCodeBasicInput;
}>;


export type DiscountCodeCreateMutation = { discountCodeBasicCreate?: AdminTypes.Maybe<{ codeDiscountNode?: AdminTypes.Maybe<Pick<AdminTypes.DiscountCodeNode, 'id'>>, userErrors: Array<Pick<AdminTypes.DiscountUserError, 'field' | 'message' | 'code' | 'extraInfo'>> }> };

export type IntakeOrderFragment = (
  Pick<AdminTypes.Order, 'id' | 'name' | 'email' | 'createdAt' | 'processedAt' | 'updatedAt' | 'cancelledAt' | 'customerLocale' | 'currencyCode' | 'presentmentCurrencyCode'>
  & { customer?: AdminTypes.Maybe<Pick<AdminTypes.Customer, 'id' | 'firstName'>>, billingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'firstName' | 'countryCodeV2' | 'provinceCode' | 'zip'>>, shippingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'countryCodeV2' | 'provinceCode' | 'zip'>>, totalPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount'>, presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, subtotalPriceSet?: AdminTypes.Maybe<{ presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount'> }>, lineItems: { nodes: Array<{ product?: AdminTypes.Maybe<Pick<AdminTypes.Product, 'id'>> }> } }
);

export type OrdersUpdatedSinceQueryVariables = AdminTypes.Exact<{
  first: AdminTypes.Scalars['Int']['input'];
  after?: AdminTypes.InputMaybe<AdminTypes.Scalars['String']['input']>;
  query: AdminTypes.Scalars['String']['input'];
}>;


export type OrdersUpdatedSinceQuery = { orders: { pageInfo: Pick<AdminTypes.PageInfo, 'hasNextPage' | 'endCursor'>, nodes: Array<(
      Pick<AdminTypes.Order, 'id' | 'name' | 'email' | 'createdAt' | 'processedAt' | 'updatedAt' | 'cancelledAt' | 'customerLocale' | 'currencyCode' | 'presentmentCurrencyCode'>
      & { customer?: AdminTypes.Maybe<Pick<AdminTypes.Customer, 'id' | 'firstName'>>, billingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'firstName' | 'countryCodeV2' | 'provinceCode' | 'zip'>>, shippingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'countryCodeV2' | 'provinceCode' | 'zip'>>, totalPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount'>, presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, subtotalPriceSet?: AdminTypes.Maybe<{ presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount'> }>, lineItems: { nodes: Array<{ product?: AdminTypes.Maybe<Pick<AdminTypes.Product, 'id'>> }> } }
    )> } };

export type IntakeOrderQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type IntakeOrderQuery = { order?: AdminTypes.Maybe<(
    Pick<AdminTypes.Order, 'id' | 'name' | 'email' | 'createdAt' | 'processedAt' | 'updatedAt' | 'cancelledAt' | 'customerLocale' | 'currencyCode' | 'presentmentCurrencyCode'>
    & { customer?: AdminTypes.Maybe<Pick<AdminTypes.Customer, 'id' | 'firstName'>>, billingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'firstName' | 'countryCodeV2' | 'provinceCode' | 'zip'>>, shippingAddress?: AdminTypes.Maybe<Pick<AdminTypes.MailingAddress, 'countryCodeV2' | 'provinceCode' | 'zip'>>, totalPriceSet: { shopMoney: Pick<AdminTypes.MoneyV2, 'amount'>, presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount' | 'currencyCode'> }, subtotalPriceSet?: AdminTypes.Maybe<{ presentmentMoney: Pick<AdminTypes.MoneyV2, 'amount'> }>, lineItems: { nodes: Array<{ product?: AdminTypes.Maybe<Pick<AdminTypes.Product, 'id'>> }> } }
  )> };

export type StagedUploadsCreateMutationVariables = AdminTypes.Exact<{
  input: Array<AdminTypes.StagedUploadInput> | AdminTypes.StagedUploadInput;
}>;


export type StagedUploadsCreateMutation = { stagedUploadsCreate?: AdminTypes.Maybe<{ stagedTargets?: AdminTypes.Maybe<Array<(
      Pick<AdminTypes.StagedMediaUploadTarget, 'url' | 'resourceUrl'>
      & { parameters: Array<Pick<AdminTypes.StagedUploadParameter, 'name' | 'value'>> }
    )>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type FileCreateMutationVariables = AdminTypes.Exact<{
  files: Array<AdminTypes.FileCreateInput> | AdminTypes.FileCreateInput;
}>;


export type FileCreateMutation = { fileCreate?: AdminTypes.Maybe<{ files?: AdminTypes.Maybe<Array<Pick<AdminTypes.ExternalVideo, 'id' | 'fileStatus'> | Pick<AdminTypes.GenericFile, 'id' | 'fileStatus'> | Pick<AdminTypes.MediaImage, 'id' | 'fileStatus'> | Pick<AdminTypes.Model3d, 'id' | 'fileStatus'> | Pick<AdminTypes.Video, 'id' | 'fileStatus'>>>, userErrors: Array<Pick<AdminTypes.FilesUserError, 'field' | 'message' | 'code'>> }> };

export type FileDeleteMutationVariables = AdminTypes.Exact<{
  fileIds: Array<AdminTypes.Scalars['ID']['input']> | AdminTypes.Scalars['ID']['input'];
}>;


export type FileDeleteMutation = { fileDelete?: AdminTypes.Maybe<(
    Pick<AdminTypes.FileDeletePayload, 'deletedFileIds'>
    & { userErrors: Array<Pick<AdminTypes.FilesUserError, 'field' | 'message' | 'code'>> }
  )> };

export type FileStatusQueryVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
}>;


export type FileStatusQuery = { node?: AdminTypes.Maybe<(
    Pick<AdminTypes.GenericFile, 'id' | 'fileStatus' | 'url'>
    & { fileErrors: Array<Pick<AdminTypes.FileError, 'code' | 'message'>> }
  ) | (
    Pick<AdminTypes.MediaImage, 'id' | 'fileStatus'>
    & { fileErrors: Array<Pick<AdminTypes.FileError, 'code' | 'message'>>, image?: AdminTypes.Maybe<Pick<AdminTypes.Image, 'url'>> }
  )> };

export type MarketingActivityUpsertMutationVariables = AdminTypes.Exact<{
  input: AdminTypes.MarketingActivityUpsertExternalInput;
}>;


export type MarketingActivityUpsertMutation = { marketingActivityUpsertExternal?: AdminTypes.Maybe<{ marketingActivity?: AdminTypes.Maybe<Pick<AdminTypes.MarketingActivity, 'id'>>, userErrors: Array<Pick<AdminTypes.MarketingActivityUserError, 'field' | 'message' | 'code'>> }> };

export type AppSubscriptionCreateMutationVariables = AdminTypes.Exact<{
  name: AdminTypes.Scalars['String']['input'];
  returnUrl: AdminTypes.Scalars['URL']['input'];
  test?: AdminTypes.InputMaybe<AdminTypes.Scalars['Boolean']['input']>;
  trialDays?: AdminTypes.InputMaybe<AdminTypes.Scalars['Int']['input']>;
  lineItems: Array<AdminTypes.AppSubscriptionLineItemInput> | AdminTypes.AppSubscriptionLineItemInput;
}>;


export type AppSubscriptionCreateMutation = { appSubscriptionCreate?: AdminTypes.Maybe<(
    Pick<AdminTypes.AppSubscriptionCreatePayload, 'confirmationUrl'>
    & { appSubscription?: AdminTypes.Maybe<Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'createdAt' | 'currentPeriodEnd'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }
  )> };

export type AppSubscriptionCancelMutationVariables = AdminTypes.Exact<{
  id: AdminTypes.Scalars['ID']['input'];
  prorate?: AdminTypes.InputMaybe<AdminTypes.Scalars['Boolean']['input']>;
}>;


export type AppSubscriptionCancelMutation = { appSubscriptionCancel?: AdminTypes.Maybe<{ appSubscription?: AdminTypes.Maybe<Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'createdAt' | 'currentPeriodEnd'>>, userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type MarketingEngagementCreateMutationVariables = AdminTypes.Exact<{
  remoteId: AdminTypes.Scalars['String']['input'];
  marketingEngagement: AdminTypes.MarketingEngagementInput;
}>;


export type MarketingEngagementCreateMutation = { marketingEngagementCreate?: AdminTypes.Maybe<{ marketingEngagement?: AdminTypes.Maybe<Pick<AdminTypes.MarketingEngagement, 'occurredOn'>>, userErrors: Array<Pick<AdminTypes.MarketingActivityUserError, 'field' | 'message' | 'code'>> }> };

export type FlowTriggerReceiveMutationVariables = AdminTypes.Exact<{
  handle: AdminTypes.Scalars['String']['input'];
  payload: AdminTypes.Scalars['JSON']['input'];
}>;


export type FlowTriggerReceiveMutation = { flowTriggerReceive?: AdminTypes.Maybe<{ userErrors: Array<Pick<AdminTypes.UserError, 'field' | 'message'>> }> };

export type ActiveSubscriptionsQueryVariables = AdminTypes.Exact<{ [key: string]: never; }>;


export type ActiveSubscriptionsQuery = { currentAppInstallation: { activeSubscriptions: Array<Pick<AdminTypes.AppSubscription, 'id' | 'name' | 'status' | 'test' | 'createdAt' | 'currentPeriodEnd'>> } };

interface GeneratedQueryTypes {
  "#graphql\n  query ShopProfile {\n    shop {\n      name\n      email\n      contactEmail\n      currencyCode\n      ianaTimezone\n      primaryDomain {\n        url\n      }\n      billingAddress {\n        formatted(withCompany: false)\n      }\n      plan {\n        partnerDevelopment\n      }\n    }\n    shopLocales(published: true) {\n      locale\n      primary\n    }\n  }\n": {return: ShopProfileQuery, variables: ShopProfileQueryVariables},
  "#graphql\n  query TestSendRecipients {\n    shop {\n      email\n      contactEmail\n    }\n  }\n": {return: TestSendRecipientsQuery, variables: TestSendRecipientsQueryVariables},
  "#graphql\n  query RecommendationInputs($ids: [ID!]!, $country: CountryCode, $withContextualPricing: Boolean!) {\n    nodes(ids: $ids) {\n      ... on Product {\n        id\n        complementary: metafield(\n          namespace: \"shopify--discovery--product_recommendation\"\n          key: \"complementary_products\"\n        ) {\n          references(first: 6) {\n            nodes {\n              ... on Product {\n                ...RecommendationCandidate\n              }\n            }\n          }\n        }\n        related: metafield(namespace: \"shopify--discovery--product_recommendation\", key: \"related_products\") {\n          references(first: 6) {\n            nodes {\n              ... on Product {\n                ...RecommendationCandidate\n              }\n            }\n          }\n        }\n        collections(first: 3) {\n          nodes {\n            id\n          }\n        }\n      }\n    }\n  }\n  #graphql\n  fragment RecommendationCandidate on Product {\n    id\n    title\n    handle\n    status\n    onlineStoreUrl\n    featuredMedia {\n      preview {\n        image {\n          url\n          altText\n        }\n      }\n    }\n    priceRangeV2 {\n      minVariantPrice {\n        amount\n        currencyCode\n      }\n    }\n    totalInventory\n    tracksInventory\n    variants(first: 3, sortKey: INVENTORY_QUANTITY, reverse: true) {\n      nodes {\n        availableForSale\n      }\n    }\n    contextualPricing(context: { country: $country }) @include(if: $withContextualPricing) {\n      minVariantPricing {\n        price {\n          amount\n          currencyCode\n        }\n      }\n    }\n  }\n\n": {return: RecommendationInputsQuery, variables: RecommendationInputsQueryVariables},
  "#graphql\n  query CollectionBestSellers($id: ID!, $first: Int!, $country: CountryCode, $withContextualPricing: Boolean!) {\n    collection(id: $id) {\n      id\n      products(first: $first, sortKey: BEST_SELLING) {\n        nodes {\n          ...RecommendationCandidate\n        }\n      }\n    }\n  }\n  #graphql\n  fragment RecommendationCandidate on Product {\n    id\n    title\n    handle\n    status\n    onlineStoreUrl\n    featuredMedia {\n      preview {\n        image {\n          url\n          altText\n        }\n      }\n    }\n    priceRangeV2 {\n      minVariantPrice {\n        amount\n        currencyCode\n      }\n    }\n    totalInventory\n    tracksInventory\n    variants(first: 3, sortKey: INVENTORY_QUANTITY, reverse: true) {\n      nodes {\n        availableForSale\n      }\n    }\n    contextualPricing(context: { country: $country }) @include(if: $withContextualPricing) {\n      minVariantPricing {\n        price {\n          amount\n          currencyCode\n        }\n      }\n    }\n  }\n\n": {return: CollectionBestSellersQuery, variables: CollectionBestSellersQueryVariables},
  "#graphql\n  query CustomerEmailConsent($id: ID!) {\n    customer(id: $id) {\n      id\n      defaultEmailAddress {\n        emailAddress\n        marketingState\n        marketingOptInLevel\n        marketingUpdatedAt\n      }\n    }\n  }\n": {return: CustomerEmailConsentQuery, variables: CustomerEmailConsentQueryVariables},
  "#graphql\n  query CustomerEmailConsents($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      ... on Customer {\n        id\n        defaultEmailAddress {\n          emailAddress\n          marketingState\n          marketingOptInLevel\n          marketingUpdatedAt\n        }\n      }\n    }\n  }\n": {return: CustomerEmailConsentsQuery, variables: CustomerEmailConsentsQueryVariables},
  "#graphql\n  query OrderBuyer($id: ID!) {\n    order(id: $id) {\n      id\n      email\n      customer {\n        id\n        defaultEmailAddress {\n          emailAddress\n          marketingState\n          marketingOptInLevel\n          marketingUpdatedAt\n        }\n      }\n    }\n  }\n": {return: OrderBuyerQuery, variables: OrderBuyerQueryVariables},
  "#graphql\n  query ProductFacts($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      ... on Product {\n        id\n        productType\n        tags\n        collections(first: 50) {\n          nodes {\n            id\n          }\n        }\n      }\n    }\n  }\n": {return: ProductFactsQuery, variables: ProductFactsQueryVariables},
  "#graphql\n  query OrderOfShop($id: ID!) {\n    order(id: $id) {\n      id\n    }\n  }\n": {return: OrderOfShopQuery, variables: OrderOfShopQueryVariables},
  "#graphql\n  query CustomerFacts($id: ID!) {\n    customer(id: $id) {\n      id\n      tags\n      numberOfOrders\n    }\n  }\n": {return: CustomerFactsQuery, variables: CustomerFactsQueryVariables},
  "#graphql\n  query CustomerPurchaseHistory($id: ID!, $orders: Int!, $lines: Int!) {\n    customer(id: $id) {\n      id\n      orders(first: $orders, sortKey: CREATED_AT, reverse: true) {\n        nodes {\n          id\n          lineItems(first: $lines) {\n            nodes {\n              product {\n                id\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": {return: CustomerPurchaseHistoryQuery, variables: CustomerPurchaseHistoryQueryVariables},
  "#graphql\n  query CustomerSegmentMembership($customerId: ID!, $segmentIds: [ID!]!) {\n    customerSegmentMembership(customerId: $customerId, segmentIds: $segmentIds) {\n      memberships {\n        segmentId\n        isMember\n      }\n    }\n    segments: nodes(ids: $segmentIds) {\n      ... on Segment {\n        id\n        name\n      }\n    }\n  }\n": {return: CustomerSegmentMembershipQuery, variables: CustomerSegmentMembershipQueryVariables},
  "#graphql\n  query ShopSegments($first: Int!) {\n    segments(first: $first, sortKey: CREATION_DATE) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": {return: ShopSegmentsQuery, variables: ShopSegmentsQueryVariables},
  "#graphql\n  query ShopProductTypes($first: Int!) {\n    productTypes(first: $first) {\n      nodes\n    }\n  }\n": {return: ShopProductTypesQuery, variables: ShopProductTypesQueryVariables},
  "#graphql\n  query ShopProductTags($first: Int!) {\n    productTags(first: $first) {\n      nodes\n    }\n  }\n": {return: ShopProductTagsQuery, variables: ShopProductTagsQueryVariables},
  "#graphql\n  query PurchasedProducts($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      ... on Product {\n        id\n        title\n        handle\n        onlineStoreUrl\n        productType\n        tags\n        featuredMedia {\n          preview {\n            image {\n              url\n              altText\n            }\n          }\n        }\n      }\n    }\n  }\n": {return: PurchasedProductsQuery, variables: PurchasedProductsQueryVariables},
  "#graphql\n  query OrdersUpdatedSince($first: Int!, $after: String, $query: String!) {\n    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...IntakeOrder\n      }\n    }\n  }\n  #graphql\n  fragment IntakeOrder on Order {\n    id\n    name\n    email\n    createdAt\n    processedAt\n    updatedAt\n    cancelledAt\n    customerLocale\n    currencyCode\n    presentmentCurrencyCode\n    customer {\n      id\n      firstName\n    }\n    billingAddress {\n      firstName\n      countryCodeV2\n      provinceCode\n      zip\n    }\n    shippingAddress {\n      countryCodeV2\n      provinceCode\n      zip\n    }\n    totalPriceSet {\n      shopMoney {\n        amount\n      }\n      presentmentMoney {\n        amount\n        currencyCode\n      }\n    }\n    subtotalPriceSet {\n      presentmentMoney {\n        amount\n      }\n    }\n    lineItems(first: 20) {\n      nodes {\n        product {\n          id\n        }\n      }\n    }\n  }\n\n": {return: OrdersUpdatedSinceQuery, variables: OrdersUpdatedSinceQueryVariables},
  "#graphql\n  query IntakeOrder($id: ID!) {\n    order(id: $id) {\n      ...IntakeOrder\n    }\n  }\n  #graphql\n  fragment IntakeOrder on Order {\n    id\n    name\n    email\n    createdAt\n    processedAt\n    updatedAt\n    cancelledAt\n    customerLocale\n    currencyCode\n    presentmentCurrencyCode\n    customer {\n      id\n      firstName\n    }\n    billingAddress {\n      firstName\n      countryCodeV2\n      provinceCode\n      zip\n    }\n    shippingAddress {\n      countryCodeV2\n      provinceCode\n      zip\n    }\n    totalPriceSet {\n      shopMoney {\n        amount\n      }\n      presentmentMoney {\n        amount\n        currencyCode\n      }\n    }\n    subtotalPriceSet {\n      presentmentMoney {\n        amount\n      }\n    }\n    lineItems(first: 20) {\n      nodes {\n        product {\n          id\n        }\n      }\n    }\n  }\n\n": {return: IntakeOrderQuery, variables: IntakeOrderQueryVariables},
  "#graphql\n  query FileStatus($id: ID!) {\n    node(id: $id) {\n      ... on MediaImage {\n        id\n        fileStatus\n        fileErrors {\n          code\n          message\n        }\n        image {\n          url\n        }\n      }\n      ... on GenericFile {\n        id\n        fileStatus\n        fileErrors {\n          code\n          message\n        }\n        url\n      }\n    }\n  }\n": {return: FileStatusQuery, variables: FileStatusQueryVariables},
  "#graphql\n  query ActiveSubscriptions {\n    currentAppInstallation {\n      activeSubscriptions {\n        id\n        name\n        status\n        test\n        createdAt\n        currentPeriodEnd\n      }\n    }\n  }\n": {return: ActiveSubscriptionsQuery, variables: ActiveSubscriptionsQueryVariables},
}

interface GeneratedMutationTypes {
  "#graphql\n  mutation CustomerEmailConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {\n    customerEmailMarketingConsentUpdate(input: $input) {\n      customer {\n        id\n        defaultEmailAddress {\n          emailAddress\n          marketingState\n          marketingOptInLevel\n          marketingUpdatedAt\n        }\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: CustomerEmailConsentUpdateMutation, variables: CustomerEmailConsentUpdateMutationVariables},
  "#graphql\n  mutation DiscountCodeCreate($basicCodeDiscount: DiscountCodeBasicInput!) {\n    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {\n      codeDiscountNode {\n        id\n      }\n      userErrors {\n        field\n        message\n        code\n        extraInfo\n      }\n    }\n  }\n": {return: DiscountCodeCreateMutation, variables: DiscountCodeCreateMutationVariables},
  "#graphql\n  mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {\n    stagedUploadsCreate(input: $input) {\n      stagedTargets {\n        url\n        resourceUrl\n        parameters {\n          name\n          value\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: StagedUploadsCreateMutation, variables: StagedUploadsCreateMutationVariables},
  "#graphql\n  mutation FileCreate($files: [FileCreateInput!]!) {\n    fileCreate(files: $files) {\n      files {\n        id\n        fileStatus\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: FileCreateMutation, variables: FileCreateMutationVariables},
  "#graphql\n  mutation FileDelete($fileIds: [ID!]!) {\n    fileDelete(fileIds: $fileIds) {\n      deletedFileIds\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: FileDeleteMutation, variables: FileDeleteMutationVariables},
  "#graphql\n  mutation MarketingActivityUpsert($input: MarketingActivityUpsertExternalInput!) {\n    marketingActivityUpsertExternal(input: $input) {\n      marketingActivity {\n        id\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: MarketingActivityUpsertMutation, variables: MarketingActivityUpsertMutationVariables},
  "#graphql\n  mutation AppSubscriptionCreate(\n    $name: String!\n    $returnUrl: URL!\n    $test: Boolean\n    $trialDays: Int\n    $lineItems: [AppSubscriptionLineItemInput!]!\n  ) {\n    appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, trialDays: $trialDays, lineItems: $lineItems) {\n      appSubscription {\n        id\n        name\n        status\n        test\n        createdAt\n        currentPeriodEnd\n      }\n      confirmationUrl\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: AppSubscriptionCreateMutation, variables: AppSubscriptionCreateMutationVariables},
  "#graphql\n  mutation AppSubscriptionCancel($id: ID!, $prorate: Boolean) {\n    appSubscriptionCancel(id: $id, prorate: $prorate) {\n      appSubscription {\n        id\n        name\n        status\n        test\n        createdAt\n        currentPeriodEnd\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: AppSubscriptionCancelMutation, variables: AppSubscriptionCancelMutationVariables},
  "#graphql\n  mutation MarketingEngagementCreate($remoteId: String!, $marketingEngagement: MarketingEngagementInput!) {\n    marketingEngagementCreate(remoteId: $remoteId, marketingEngagement: $marketingEngagement) {\n      marketingEngagement {\n        occurredOn\n      }\n      userErrors {\n        field\n        message\n        code\n      }\n    }\n  }\n": {return: MarketingEngagementCreateMutation, variables: MarketingEngagementCreateMutationVariables},
  "#graphql\n  mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {\n    flowTriggerReceive(handle: $handle, payload: $payload) {\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": {return: FlowTriggerReceiveMutation, variables: FlowTriggerReceiveMutationVariables},
}
declare module '@shopify/admin-api-client' {
  type InputMaybe<T> = AdminTypes.InputMaybe<T>;
  interface AdminQueries extends GeneratedQueryTypes {}
  interface AdminMutations extends GeneratedMutationTypes {}
}
