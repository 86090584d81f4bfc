// The words a shop files its products under: product types and tags, offered as suggestions
// wherever a merchant types one (a care guide's tips), so a tip names what the products carry.
import type { ShopProductTagsQuery, ShopProductTagsQueryVariables, ShopProductTypesQuery, ShopProductTypesQueryVariables } from "~/types/admin.generated";
import type { AdminClient } from "./client.server";
import { SHOP_PRODUCT_TAGS_QUERY, SHOP_PRODUCT_TYPES_QUERY } from "./queries";

export interface ProductVocabulary {
  productTypes: string[];
  productTags: string[];
}

// One page each: suggestions, not a catalogue; a shop past these still types the rest.
const TYPES_PAGE = 250;
const TAGS_PAGE = 500;

export async function fetchProductVocabulary({ client }: { client: AdminClient }): Promise<ProductVocabulary> {
  const [types, tags] = await Promise.all([
    client.request<ShopProductTypesQuery, ShopProductTypesQueryVariables>(SHOP_PRODUCT_TYPES_QUERY, { first: TYPES_PAGE }),
    client.request<ShopProductTagsQuery, ShopProductTagsQueryVariables>(SHOP_PRODUCT_TAGS_QUERY, { first: TAGS_PAGE }),
  ]);
  // A product without a type has "" as its type; that is no suggestion.
  const words = (list: string[] | null | undefined) => (list ?? []).filter((w) => w.trim() !== "");
  return { productTypes: words(types.productTypes?.nodes), productTags: words(tags.productTags?.nodes) };
}
