// What a step says, per language: a tab for the base version (the step's subject and preview text,
// the content's heading and blocks) and one per language the shop publishes and we ship, which
// edits `content.locales[tag]`; what a language leaves empty comes from the base. Removing a
// language's version asks first, in App Bridge's modal.
import { memo, useState } from "react";
import { BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";
import type { ContentBlock, ContentFields } from "~/domain/content";
import { defaultContent, isTemplateId, TEMPLATES } from "~/domain/templates";
import { BlockList } from "./BlockEditor";
import { LanguageTabs } from "./LanguageTabs";
import { VariableTextField } from "./VariablePicker";
import {
  blocksOf,
  errorsAt,
  errorsExactlyAt,
  localeVersionOf,
  withBlocks,
  withLocaleVersion,
  withoutLocaleVersion,
  type FlowProblem,
  type LanguageTab,
  type StepDraft,
} from "./flow-draft";

interface ContentEditorProps {
  step: StepDraft;
  at: string; // the step's JSON pointer, e.g. /steps/0
  problems: FlowProblem[] | undefined;
  languages: LanguageTab[];
  onChange: (step: StepDraft) => void;
  // The tab the merchant is on, so the preview can show that language.
  onLanguageChange?: (tab: LanguageTab) => void;
}

// Memoised: it renders again when its step changes, not when another step does.
export const ContentEditor = memo(function ContentEditor({ step, at, problems, languages, onChange, onLanguageChange }: ContentEditorProps) {
  const [selected, setSelected] = useState(0);
  const [confirming, setConfirming] = useState<LanguageTab | null>(null);
  const tab = languages[Math.min(selected, languages.length - 1)];
  const modalId = `remove-language-${step.key}`;
  const setContent = (content: Record<string, unknown> | null) => onChange({ ...step, content });
  return (
    <BlockStack gap="300">
      <Text as="h4" variant="headingSm">Content</Text>
      <LanguageTabs
        tabs={languages.map((l, i) => ({
          id: `${step.key}-language-${i}`,
          label: l.label,
          panelId: `${step.key}-language-panel-${i}`,
        }))}
        selected={Math.min(selected, languages.length - 1)}
        onSelect={(i) => {
          setSelected(i);
          onLanguageChange?.(languages[i]);
        }}
      />
      <div id={`${step.key}-language-panel-${Math.min(selected, languages.length - 1)}`} role="tabpanel" aria-labelledby={`${step.key}-language-${Math.min(selected, languages.length - 1)}`}>
        {tab.tag === null ? (
          <BaseVersion step={step} at={at} problems={problems} language={tab} onChange={onChange} />
        ) : (
          <LanguageVersion step={step} at={at} problems={problems} language={tab} onChange={setContent} onRemove={() => setConfirming(tab)} />
        )}
      </div>
      <ContentErrors step={step} at={at} problems={problems} languages={languages} selected={tab} />
      <Modal id={modalId} open={confirming !== null} onHide={() => setConfirming(null)}>
        <Box padding="400">
          <p>{confirming ? `${confirming.label} customers will get the ${languages[0].label.replace(/ \(base\)$/, "")} version of this step instead. This is saved when you save the flow.` : ""}</p>
        </Box>
        <TitleBar title={confirming ? `Remove the ${confirming.label} version?` : "Remove this version?"}>
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              if (confirming?.tag) setContent(withoutLocaleVersion(step.content, confirming.tag));
              setConfirming(null);
            }}
          >
            Remove
          </button>
          <button onClick={() => setConfirming(null)}>Cancel</button>
        </TitleBar>
      </Modal>
    </BlockStack>
  );
});

// The template's blocks in a language, for a merchant who wants to start from them.
function templateBlocks(template: string, language: LanguageTab["language"]): ContentBlock[] {
  return isTemplateId(template) ? defaultContent(template, language ?? "en").blocks : [];
}

const hasBlock = (blocks: readonly ContentBlock[], type: string): boolean =>
  blocks.some((b) => b.type === type || (b.type === "conditional" && hasBlock(b.blocks ?? [], type)));

// The template shows its products and the code only where the blocks say: a merchant's own list
// without those blocks would drop them, so the editor says so.
function MissingPlaces({ step, blocks }: { step: StepDraft; blocks: ContentBlock[] | null }) {
  if (!blocks || !isTemplateId(step.template)) return null;
  const needs = TEMPLATES[step.template].needs;
  const missing: string[] = [];
  if ((needs.recommendations || needs.purchasedProducts) && !hasBlock(blocks, "products")) missing.push("The products show only where a Products block is: add one to show them.");
  if (needs.discount && step.content?.discount && !hasBlock(blocks, "discount")) missing.push("The discount code shows only where a Discount block is: add one to show it.");
  return missing.length ? (
    <BlockStack gap="100">
      {missing.map((m) => (
        <Text as="p" tone="caution" key={m}>
          {m}
        </Text>
      ))}
    </BlockStack>
  ) : null;
}

function BaseVersion({ step, at, problems, language, onChange }: { step: StepDraft; at: string; problems: FlowProblem[] | undefined; language: LanguageTab; onChange: (step: StepDraft) => void }) {
  const content = step.content;
  const blocks = blocksOf(content);
  const heading = typeof content?.heading === "string" ? content.heading : "";
  const setContent = (next: Record<string, unknown> | null) => onChange({ ...step, content: next });
  return (
    <BlockStack gap="300">
      <VariableTextField label="Subject" value={step.subject} onChange={(subject) => onChange({ ...step, subject })} error={errorsAt(problems, `${at}/subject`)} />
      <VariableTextField label="Preview text" value={step.previewText} onChange={(previewText) => onChange({ ...step, previewText })} error={errorsAt(problems, `${at}/previewText`)} helpText="Shown after the subject in most inboxes." />
      <VariableTextField
        label="Heading"
        value={heading}
        onChange={(next) => {
          const { heading: _old, ...rest } = content ?? {};
          setContent(next ? { ...rest, heading: next } : Object.keys(rest).length ? rest : null);
        }}
        error={errorsAt(problems, `${at}/content/heading`)}
        helpText="Empty: the template's heading, in each customer's language."
      />
      <BlockStack gap="200">
        <Text as="h5" variant="headingXs">Blocks</Text>
        {blocks ? (
          <InlineStack>
            <Button variant="plain" onClick={() => setContent(withBlocks(content, null))}>
              Use the template's blocks instead
            </Button>
          </InlineStack>
        ) : (
          <BlockStack gap="200">
            <Text as="p" tone="subdued">The template's own message and products show, in each customer's language. Blocks you add replace them.</Text>
            <InlineStack>
              <Button variant="plain" onClick={() => setContent(withBlocks(content, templateBlocks(step.template, language.language)))}>
                Start from the template's blocks
              </Button>
            </InlineStack>
          </BlockStack>
        )}
        <BlockList blocks={blocks ?? []} onChange={(next) => setContent(withBlocks(content, next))} at={`${at}/content/blocks`} problems={problems} template={step.template} />
        <MissingPlaces step={step} blocks={blocks} />
      </BlockStack>
    </BlockStack>
  );
}

const FIELD_NAMES: Record<keyof ContentFields, string> = { subject: "subject", previewText: "preview text", heading: "heading", blocks: "blocks" };

function LanguageVersion({ step, at, problems, language, onChange, onRemove }: { step: StepDraft; at: string; problems: FlowProblem[] | undefined; language: LanguageTab; onChange: (content: Record<string, unknown> | null) => void; onRemove: () => void }) {
  const tag = language.tag!;
  const vat = `${at}/content/locales/${tag}`;
  const version = localeVersionOf(step.content, tag);
  const blocks = blocksOf(version);
  const baseBlocks = blocksOf(step.content);
  const set = (change: Omit<ContentFields, "blocks"> & { blocks?: ContentBlock[] | null }) => onChange(withLocaleVersion(step.content, tag, change));
  const baseHeading = typeof step.content?.heading === "string" ? step.content.heading : "";
  const fallsBack = (Object.keys(FIELD_NAMES) as Array<keyof ContentFields>).filter((k) => version[k] === undefined).map((k) => FIELD_NAMES[k]);
  const written = Object.keys(version).length > 0;
  return (
    <BlockStack gap="300">
      <Text as="p" tone="subdued">
        {fallsBack.length ? `${language.label} customers get the base version's ${joinWords(fallsBack)}.` : `Everything ${language.label} customers read is written here.`}
      </Text>
      <VariableTextField label="Subject" value={version.subject ?? ""} placeholder={step.subject} onChange={(subject) => set({ subject })} error={errorsAt(problems, `${vat}/subject`)} helpText="Empty: the base subject." />
      <VariableTextField label="Preview text" value={version.previewText ?? ""} placeholder={step.previewText} onChange={(previewText) => set({ previewText })} error={errorsAt(problems, `${vat}/previewText`)} helpText="Empty: the base preview text." />
      <VariableTextField
        label="Heading"
        value={version.heading ?? ""}
        placeholder={baseHeading}
        onChange={(heading) => set({ heading })}
        error={errorsAt(problems, `${vat}/heading`)}
        helpText={baseHeading ? "Empty: the base heading." : `Empty: the template's heading in ${language.label}.`}
      />
      <BlockStack gap="200">
        <Text as="h5" variant="headingXs">Blocks</Text>
        {blocks ? (
          <InlineStack>
            <Button variant="plain" onClick={() => set({ blocks: null })}>
              Use the base blocks instead
            </Button>
          </InlineStack>
        ) : (
          <BlockStack gap="200">
            <Text as="p" tone="subdued">
              {baseBlocks ? `${language.label} customers see the base blocks. Copy them to translate them, or add blocks of their own.` : `${language.label} customers see the template's own message and products in ${language.label}.`}
            </Text>
            <InlineStack>
              <Button variant="plain" onClick={() => set({ blocks: structuredClone(baseBlocks ?? templateBlocks(step.template, language.language)) })}>
                {baseBlocks ? "Copy the base blocks" : "Start from the template's blocks"}
              </Button>
            </InlineStack>
          </BlockStack>
        )}
        <BlockList blocks={blocks ?? []} onChange={(next) => set({ blocks: next })} at={`${vat}/blocks`} problems={problems} template={step.template} />
        <MissingPlaces step={step} blocks={blocks} />
      </BlockStack>
      {errorsExactlyAt(problems, vat) ? <Text as="p" tone="critical">{errorsExactlyAt(problems, vat)}</Text> : null}
      {written ? (
        <InlineStack>
          <Button tone="critical" onClick={onRemove}>
            {`Remove the ${language.label} version`}
          </Button>
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}

function joinWords(words: string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

// Problems in the content no field shows (a language no tab shows, a setting written by hand).
// and a word about the problems on the tabs not open.
function ContentErrors({ step, at, problems, languages, selected }: { step: StepDraft; at: string; problems: FlowProblem[] | undefined; languages: LanguageTab[]; selected: LanguageTab }) {
  const under = (p: FlowProblem, paths: string[]) => paths.some((s) => p.path === s || p.path.startsWith(`${s}/`));
  const pathsOf = (l: LanguageTab) => (l.tag === null ? [`${at}/subject`, `${at}/previewText`, `${at}/content/heading`, `${at}/content/blocks`] : [`${at}/content/locales/${l.tag}`]);
  const shown = [`${at}/content/discount`, `${at}/content/consumables`, `${at}/content/reviewAnchor`, ...languages.flatMap(pathsOf)];
  const rest = (problems ?? []).filter((p) => p.path.startsWith(`${at}/content`) && !under(p, shown));
  const elsewhere = languages.filter((l) => l !== selected && (problems ?? []).some((p) => under(p, pathsOf(l))));
  if (!rest.length && !elsewhere.length) return null;
  return (
    <BlockStack gap="100">
      {elsewhere.map((l) => (
        <Text as="p" tone="critical" key={l.label}>
          {`The ${l.label} tab has fields that need attention.`}
        </Text>
      ))}
      {rest.map((p) => (
        <Text as="p" tone="critical" key={`${p.path}-${p.message}`}>
          {p.message}
        </Text>
      ))}
    </BlockStack>
  );
}
