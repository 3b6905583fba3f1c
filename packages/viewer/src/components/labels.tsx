// Labels as chips. A label is text someone typed: it is only ever a text node (never HTML,
// never a class name); its colour comes from a hue derived from it, set as a number.
import './labels.css';

/** A stable hue per label, so "bug" has the same colour in every row and every session. */
export function labelHue(label: string): number {
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

interface ChipProps {
  label: string;
  /** In the current filter: drawn as pressed. */
  active: boolean;
  onToggle(label: string): void;
  /** In the filter bar: shows a cross, and says it removes. */
  removable?: boolean;
}

/** A label that filters the list by itself when clicked (and stops filtering when clicked again). */
export function LabelChip({ label, active, onToggle, removable = false }: ChipProps) {
  return (
    <button
      type="button"
      class={active ? 'label-chip active' : 'label-chip'}
      data-label={label}
      style={{ '--label-hue': String(labelHue(label)) }}
      aria-pressed={active}
      title={removable || active ? `Stop filtering by the label “${label}”` : `Show only items labelled “${label}”`}
      onClick={(e) => {
        // In a list row: filter, do not open the row.
        e.stopPropagation();
        onToggle(label);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.stopPropagation();
      }}
    >
      {label}
      {removable ? (
        <span class="label-x" aria-hidden="true">
          ×
        </span>
      ) : null}
    </button>
  );
}

/** A row's labels: the first few, then "+n" (the row has one line for its meta). */
export function RowLabels({
  labels,
  chosen,
  onToggle,
  max = 3,
}: {
  labels: readonly string[];
  chosen: readonly string[];
  onToggle(label: string): void;
  max?: number;
}) {
  // The chosen ones first: they are why the row is in the list.
  const ordered = [...labels.filter((l) => chosen.includes(l)), ...labels.filter((l) => !chosen.includes(l))];
  const shown = ordered.slice(0, max);
  return (
    <span class="row-labels">
      {shown.map((label) => (
        <LabelChip key={label} label={label} active={chosen.includes(label)} onToggle={onToggle} />
      ))}
      {labels.length > max ? (
        <span class="label-more" title={ordered.slice(max).join(', ')}>
          +{labels.length - max}
        </span>
      ) : null}
    </span>
  );
}
