// A step's blocks as a list: add (the "Add block" menu), move up or down, remove, and each
// block's own fields with the server's problems under them (found by JSON pointer when they
// arrive, then kept with the block wherever it moves). A conditional block holds its own list,
// shown when the order matches its "Show when".
import { createContext, memo, useCallback, useContext, useId, useMemo, useState } from "react";
import { useStableCallback } from "./use-stable-callback";
import { ActionList, Autocomplete, BlockStack, Box, Button, InlineGrid, InlineStack, Popover, Select, Tag, Text, TextField } from "@shopify/polaris";
import { CONTENT_LIMITS, type BlockCondition, type ContentBlock } from "~/domain/content";
import { VariableTextField } from "./VariablePicker";
import {
  addBlock,
  BLOCK_KINDS,
  blockIdOf,
  blockLabel,
  errorsAt,
  errorsExactlyAt,
  moveBlock,
  problemsByBlock,
  problemsOfBlock,
  removeBlock,
  replaceBlock,
  sameBlock,
  type BlockType,
  type FlowProblem,
  type ProblemsByBlock,
} from "./flow-draft";

interface BlockListProps {
  blocks: ContentBlock[];
  onChange: (blocks: ContentBlock[]) => void;
  at: string; // JSON pointer of the list, e.g. /steps/0/content/blocks
  problems: FlowProblem[] | undefined;
  template: string;
  // How the blocks are numbered in labels: "" gives Block 1, "3." gives Block 3.1.
  numberPrefix?: string;
  depth?: number;
  // A nested list gets its blocks' problems from the outermost list, which reads them all.
  byBlock?: ProblemsByBlock;
}

export function BlockList({ blocks, onChange, at, problems, template, numberPrefix = "", depth = 1, byBlock: outer }: BlockListProps) {
  const listId = useId();
  // Read once per answer from the server, against the blocks as they were saved: later moves
  // must not re-read positions the problems no longer describe.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const own = useMemo(() => (outer ? null : problemsByBlock(blocks, at, problems)), [outer, problems, at]);
  const byBlock = outer ?? own!;
  // Stable, so a change to one block renders that block's editor only.
  const move = useStableCallback((i: number, by: number) => {
    onChange(moveBlock(blocks, i, by));
    // The focus follows the block, so a keyboard can keep moving it (the other way at either end).
    const to = i + by;
    const atEnd = by < 0 ? to === 0 : to === blocks.length - 1;
    const direction = (by < 0) !== atEnd ? "up" : "down";
    requestAnimationFrame(() => document.getElementById(`${listId}-${to}-${direction}`)?.focus());
  });
  const remove = useStableCallback((i: number) => onChange(removeBlock(blocks, i)));
  const replace = useStableCallback((i: number, next: ContentBlock) => onChange(replaceBlock(blocks, i, sameBlock(blocks[i], next))));
  const listError = errorsExactlyAt(problems, at);
  return (
    <BlockStack gap="300">
      {blocks.map((block, i) => (
        <BlockItem
          key={blockIdOf(block)}
          block={block}
          index={i}
          last={i === blocks.length - 1}
          listId={listId}
          n={`${numberPrefix}${i + 1}`}
          at={`${at}/${i}`}
          byBlock={byBlock}
          template={template}
          depth={depth}
          onMove={move}
          onRemove={remove}
          onChange={replace}
        />
      ))}
      {listError ? <Text as="p" tone="critical">{listError}</Text> : null}
      <AddBlockMenu
        template={template}
        label={numberPrefix ? `Add block to ${blockLabel("conditional", template).toLowerCase()} ${numberPrefix.slice(0, -1)}` : "Add block"}
        // Conditional blocks nest only so deep (CONTENT_LIMITS.depth).
        kinds={depth >= CONTENT_LIMITS.depth ? BLOCK_KINDS.filter((k) => k.type !== "conditional") : BLOCK_KINDS}
        onAdd={(type) => onChange(addBlock(blocks, type))}
      />
    </BlockStack>
  );
}

// One block with its buttons and fields. Memoised: editing one block renders that block only.
const BlockItem = memo(function BlockItem({
  block,
  index,
  last,
  listId,
  n,
  at,
  byBlock,
  template,
  depth,
  onMove,
  onRemove,
  onChange,
}: {
  block: ContentBlock;
  index: number;
  last: boolean;
  listId: string;
  n: string;
  at: string;
  // Every block's problems, by block: this block's are found here wherever it has moved.
  byBlock: ProblemsByBlock;
  template: string;
  depth: number;
  onMove: (index: number, by: number) => void;
  onRemove: (index: number) => void;
  onChange: (index: number, block: ContentBlock) => void;
}) {
  const change = useCallback((next: ContentBlock) => onChange(index, next), [onChange, index]);
  const problems = useMemo(() => problemsOfBlock(byBlock, block, at), [byBlock, block, at]);
  const others = otherErrors(problems, at, KNOWN_FIELDS[block.type] ?? []);
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200" background={depth > 1 ? "bg-surface-secondary" : undefined}>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h4" variant="headingSm">{`${n}. ${blockLabel(block.type, template)}`}</Text>
          <InlineStack gap="100" wrap>
            <Button size="slim" id={`${listId}-${index}-up`} disabled={index === 0} onClick={() => onMove(index, -1)} accessibilityLabel={`Move block ${n} up`}>
              Up
            </Button>
            <Button size="slim" id={`${listId}-${index}-down`} disabled={last} onClick={() => onMove(index, 1)} accessibilityLabel={`Move block ${n} down`}>
              Down
            </Button>
            <Button size="slim" variant="plain" tone="critical" onClick={() => onRemove(index)} accessibilityLabel={`Remove block ${n}`}>
              Remove
            </Button>
          </InlineStack>
        </InlineStack>
        <BlockFields block={block} n={n} at={at} problems={problems} byBlock={byBlock} template={template} depth={depth} onChange={change} />
        {others ? <Text as="p" tone="critical">{others}</Text> : null}
      </BlockStack>
    </Box>
  );
});

function AddBlockMenu({ template, label, kinds, onAdd }: { template: string; label: string; kinds: typeof BLOCK_KINDS; onAdd: (type: BlockType) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <InlineStack>
      <Popover
        active={open}
        onClose={() => setOpen(false)}
        activator={
          <Button disclosure onClick={() => setOpen((o) => !o)} accessibilityLabel={label}>
            Add block
          </Button>
        }
      >
        <ActionList
          actionRole="menuitem"
          items={kinds.map((k) => ({
            content: blockLabel(k.type, template),
            helpText: BLOCK_HELP[k.type],
            onAction: () => {
              setOpen(false);
              onAdd(k.type);
            },
          }))}
        />
      </Popover>
    </InlineStack>
  );
}

const BLOCK_HELP: Record<BlockType, string> = {
  text: "Paragraphs; a blank line starts a new one",
  image: "A picture from an https:// address",
  button: "A button with a link",
  links: "A list of links, e.g. to your FAQ",
  products: "Where the template's products go",
  discount: "Where the customer's discount code goes",
  conditional: "Blocks shown only for some orders",
};

// The fields each kind of block has; problems about anything else show under the block.
const KNOWN_FIELDS: Partial<Record<string, string[]>> = {
  text: ["text"],
  image: ["url", "alt", "link"],
  button: ["text", "url"],
  links: ["heading", "links"],
  products: ["heading"],
  discount: [],
  conditional: ["when", "blocks"],
};

function otherErrors(problems: FlowProblem[] | undefined, at: string, known: string[]): string | undefined {
  const found = (problems ?? [])
    .filter((p) => p.path === at || (p.path.startsWith(`${at}/`) && !known.includes(p.path.slice(at.length + 1).split("/")[0])))
    .map((p) => p.message);
  return found.length ? found.join(" ") : undefined;
}

type BlockFieldsProps = { block: ContentBlock; n: string; at: string; problems: FlowProblem[] | undefined; byBlock: ProblemsByBlock; template: string; depth: number; onChange: (block: ContentBlock) => void };

function BlockFields({ block, n, at, problems, byBlock, template, depth, onChange }: BlockFieldsProps) {
  const err = (field: string) => errorsAt(problems, `${at}/${field}`);
  switch (block.type) {
    case "text":
      return <VariableTextField label={`Block ${n} text`} value={block.text} onChange={(text) => onChange({ ...block, text })} multiline={3} error={err("text")} helpText="A blank line starts a new paragraph." />;
    case "button":
      return (
        <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
          <VariableTextField label={`Block ${n} button text`} value={block.text} onChange={(text) => onChange({ ...block, text })} error={err("text")} />
          <TextField label={`Block ${n} button link`} value={block.url} onChange={(url) => onChange({ ...block, url })} autoComplete="off" placeholder="https://" error={err("url")} helpText="https://…, or starting with {{ shop.url }} or {{ product.url }}." />
        </InlineGrid>
      );
    case "image":
      return (
        <BlockStack gap="300">
          <TextField label={`Block ${n} picture address`} value={block.url} onChange={(url) => onChange({ ...block, url })} autoComplete="off" placeholder="https://" error={err("url")} helpText="An https:// address, e.g. of a file in Shopify's Content > Files. Shown at most 600 px wide." />
          <VariableTextField label={`Block ${n} alt text`} value={block.alt} onChange={(alt) => onChange({ ...block, alt })} error={err("alt")} helpText="What the picture shows, for customers who cannot see it; the plain-text email says this instead." />
          <TextField
            label={`Block ${n} picture link`}
            value={block.link ?? ""}
            onChange={(link) => {
              const { link: _old, ...rest } = block;
              onChange(link ? { ...rest, link } : rest);
            }}
            autoComplete="off"
            placeholder="https://"
            error={err("link")}
            helpText="Optional: the page the picture opens."
          />
        </BlockStack>
      );
    case "links":
      return (
        <BlockStack gap="300">
          <VariableTextField
            label={`Block ${n} heading`}
            value={block.heading ?? ""}
            onChange={(heading) => {
              const { heading: _old, ...rest } = block;
              onChange(heading ? { ...rest, heading } : rest);
            }}
            error={err("heading")}
            helpText="Optional, e.g. Questions?"
          />
          {block.links.map((link, j) => {
            const setLink = (change: Partial<typeof link>) => onChange({ ...block, links: replaceBlock(block.links, j, { ...link, ...change }) });
            return (
              <BlockStack key={j} gap="100">
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
                  <TextField label={`Block ${n} link ${j + 1} text`} value={link.text} onChange={(text) => setLink({ text })} autoComplete="off" error={err(`links/${j}/text`)} />
                  <TextField label={`Block ${n} link ${j + 1} address`} value={link.url} onChange={(url) => setLink({ url })} autoComplete="off" placeholder="https://" error={err(`links/${j}/url`)} />
                </InlineGrid>
                {block.links.length > 1 ? (
                  <InlineStack>
                    <Button variant="plain" tone="critical" onClick={() => onChange({ ...block, links: removeBlock(block.links, j) })} accessibilityLabel={`Remove link ${j + 1} of block ${n}`}>
                      Remove link
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            );
          })}
          {errorsExactlyAt(problems, `${at}/links`) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, `${at}/links`)}</Text> : null}
          {block.links.length < CONTENT_LIMITS.links ? (
            <InlineStack>
              <Button onClick={() => onChange({ ...block, links: [...block.links, { text: "", url: "" }] })} accessibilityLabel={`Add a link to block ${n}`}>
                Add link
              </Button>
            </InlineStack>
          ) : null}
        </BlockStack>
      );
    case "products":
      return (
        <VariableTextField
          label={`Block ${n} heading`}
          value={block.heading ?? ""}
          onChange={(heading) => onChange(heading ? { ...block, heading } : { type: "products" })}
          error={err("heading")}
          helpText="Where the template's products go: recommendations, or the products bought. Empty: the template's heading."
        />
      );
    case "discount":
      return <Text as="p" tone="subdued">{template === "cross-sell" ? "Where the customer's single-use code shows, when the step includes one." : "Where a discount code shows; only cross-sell steps with a discount have one."}</Text>;
    case "conditional":
      return <ConditionalFields block={block} n={n} at={at} problems={problems} byBlock={byBlock} template={template} depth={depth} onChange={onChange} />;
    default:
      return null;
  }
}

// The shop's product types and tags (from Shopify), offered as a tip's conditions are typed; empty
// when Shopify did not answer, and the fields still take any text.
export const ProductVocabularyContext = createContext<{ productTypes: string[]; productTags: string[] }>({ productTypes: [], productTags: [] });

function ConditionalFields({ block, n, at, problems, byBlock, template, depth, onChange }: BlockFieldsProps & { block: Extract<ContentBlock, { type: "conditional" }> }) {
  const when = block.when ?? {};
  const setWhen = (change: Partial<BlockCondition>) => {
    const next: Record<string, unknown> = { ...when, ...change };
    // An emptied part is no condition at all, not one that never holds.
    for (const [key, value] of Object.entries(next)) if (value === undefined || (Array.isArray(value) && value.length === 0)) delete next[key];
    onChange({ ...block, when: next as BlockCondition });
  };
  const err = (field: string) => errorsAt(problems, `${at}/when/${field}`);
  const tip = template === "care-guide";
  const vocabulary = useContext(ProductVocabularyContext);
  return (
    <BlockStack gap="300">
      <Text as="h5" variant="headingXs">{tip ? "Show this tip when the order has" : "Show when the order has"}</Text>
      <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
        <ChipsField label={`Block ${n} product types`} suggestions={vocabulary.productTypes} values={when.productTypes ?? []} onChange={(productTypes) => setWhen({ productTypes })} error={err("productTypes")} helpText="A product of any of these types, e.g. Candle." />
        <ChipsField label={`Block ${n} product tags`} suggestions={vocabulary.productTags} values={when.productTags ?? []} onChange={(productTags) => setWhen({ productTags })} error={err("productTags")} helpText="A product with any of these tags." />
        <Select
          label={`Block ${n} customer`}
          options={[
            { label: "Any customer", value: "" },
            { label: "First-time customers", value: "first_time" },
            { label: "Returning customers", value: "returning" },
          ]}
          value={when.customer ?? ""}
          onChange={(customer) => setWhen({ customer: (customer || undefined) as BlockCondition["customer"] })}
          error={err("customer")}
        />
        <ChipsField label={`Block ${n} shipping countries`} values={when.countries ?? []} upper onChange={(countries) => setWhen({ countries })} error={err("countries")} helpText="Two-letter codes such as US or PL." />
      </InlineGrid>
      {errorsExactlyAt(problems, `${at}/when`) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, `${at}/when`)}</Text> : null}
      <Text as="p" tone="subdued">Every part you fill in must hold; within a list, any value matches.</Text>
      <BlockList blocks={block.blocks ?? []} onChange={(blocks) => onChange({ ...block, blocks })} at={`${at}/blocks`} problems={problems} byBlock={byBlock} template={template} numberPrefix={`${n}.`} depth={depth + 1} />
    </BlockStack>
  );
}

// Names typed one at a time (Enter or a comma adds one), shown as removable tags. With
// suggestions, the names that match what is typed are offered below; any other text is kept too.
function ChipsField({
  label,
  values,
  onChange,
  upper = false,
  error,
  helpText,
  suggestions = [],
}: {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  upper?: boolean;
  error?: string;
  helpText?: string;
  suggestions?: string[];
}) {
  const [text, setText] = useState("");
  const commit = (raw = text) => {
    const added = raw
      .split(",")
      .map((v) => (upper ? v.trim().toUpperCase() : v.trim()))
      .filter(Boolean);
    setText("");
    if (added.length) onChange([...values, ...added.filter((v) => !values.some((w) => w.toLowerCase() === v.toLowerCase()))]);
  };
  const addButton = (
    <Button onClick={() => commit()} disabled={!text.trim()} accessibilityLabel={`Add to ${label}`}>
      Add
    </Button>
  );
  const tags = values.length ? (
    <InlineStack gap="100" wrap>
      {values.map((v) => (
        <Tag key={v} onRemove={() => onChange(values.filter((w) => w !== v))} accessibilityLabel={`Remove ${v} from ${label}`}>
          {v}
        </Tag>
      ))}
    </InlineStack>
  ) : null;
  if (suggestions.length) {
    return (
      <BlockStack gap="100">
        <SuggestingField label={label} text={text} onText={setText} values={values} suggestions={suggestions} onCommit={commit} error={error} helpText={helpText} addButton={addButton} />
        {tags}
      </BlockStack>
    );
  }
  return (
    <BlockStack gap="100">
      {/* Enter adds what is typed; Polaris' TextField has no key handler of its own. */}
      {/* eslint-disable-next-line jsx-a11y/no-static-element-interactions */}
      <div
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      >
        <TextField
          label={label}
          value={text}
          onChange={(next) => (next.includes(",") ? commit(next) : setText(next))}
          onBlur={() => commit()}
          autoComplete="off"
          error={error}
          helpText={helpText}
          connectedRight={addButton}
        />
      </div>
      {tags}
    </BlockStack>
  );
}

// At most this many suggestions show at once; typing narrows them.
const SHOWN_SUGGESTIONS = 20;

// Polaris' Autocomplete over the shop's names. What is typed and is no suggestion comes first as
// "Add …", so Enter adds the text itself; an exact match is the first option instead.
function SuggestingField({
  label,
  text,
  onText,
  values,
  suggestions,
  onCommit,
  error,
  helpText,
  addButton,
}: {
  label: string;
  text: string;
  onText: (text: string) => void;
  values: string[];
  suggestions: string[];
  onCommit: (raw?: string) => void;
  error?: string;
  helpText?: string;
  addButton: JSX.Element;
}) {
  const typed = text.trim().toLowerCase();
  const options = useMemo(() => {
    const open = suggestions.filter((s) => !values.some((v) => v.toLowerCase() === s.toLowerCase()) && s.toLowerCase().includes(typed));
    const exact = open.filter((s) => s.toLowerCase() === typed);
    return [...exact, ...open.filter((s) => s.toLowerCase() !== typed)].slice(0, SHOWN_SUGGESTIONS).map((s) => ({ value: s, label: s }));
  }, [suggestions, values, typed]);
  const exactMatch = options.some((o) => o.value.toLowerCase() === typed);
  return (
    <Autocomplete
      options={options}
      selected={[]}
      onSelect={([picked]) => picked && onCommit(picked)}
      actionBefore={typed && !exactMatch ? { content: `Add "${text.trim()}"`, accessibilityLabel: `Add ${text.trim()} to ${label}`, onAction: () => onCommit() } : undefined}
      textField={
        <Autocomplete.TextField
          label={label}
          value={text}
          onChange={(next) => (next.includes(",") ? onCommit(next) : onText(next))}
          autoComplete="off"
          error={error}
          helpText={helpText}
          connectedRight={addButton}
        />
      }
    />
  );
}
