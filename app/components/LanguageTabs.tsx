// A step's language tabs, drawn with Polaris's own tab styles but without Polaris <Tabs>: that
// component measures every tab (a forced layout in the frame after it mounts) to fold the extra
// ones into a "More" menu, and a new step's editor mounting it made "Add step" slow to answer.
// A shop publishes a few languages at most, so the strip scrolls sideways instead of folding.
import { useRef, type KeyboardEvent } from "react";
import { InlineStack, Text } from "@shopify/polaris";

export interface LanguageTabsProps {
  // Ids of each tab and of the panel it controls, in order.
  tabs: { id: string; label: string; panelId: string }[];
  selected: number;
  onSelect: (index: number) => void;
}

export function LanguageTabs({ tabs, selected, onSelect }: LanguageTabsProps) {
  const list = useRef<HTMLUListElement>(null);
  // The WAI-ARIA tabs pattern: arrows move between tabs, Home and End to the ends.
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const moves: Record<string, number> = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = (moves[event.key] + tabs.length) % tabs.length;
    onSelect(next);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <div className="Polaris-Tabs__Outer">
      <div className="Polaris-Tabs__Wrapper">
        <div className="Polaris-Tabs__ButtonWrapper">
          <ul ref={list} role="tablist" className="Polaris-Tabs" onKeyDown={onKeyDown}>
            {tabs.map((tab, i) => (
              <li key={tab.id} role="presentation" className="Polaris-Tabs__TabContainer">
                <button
                  type="button"
                  id={tab.id}
                  role="tab"
                  aria-selected={i === selected}
                  aria-controls={tab.panelId}
                  tabIndex={i === selected ? 0 : -1}
                  className={i === selected ? "Polaris-Tabs__Tab Polaris-Tabs__Tab--active" : "Polaris-Tabs__Tab"}
                  onClick={() => onSelect(i)}
                >
                  <InlineStack gap="200" align="center" blockAlign="center" wrap={false}>
                    <Text as="span" variant="bodySm" fontWeight="medium">
                      {tab.label}
                    </Text>
                  </InlineStack>
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
