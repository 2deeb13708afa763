/**
 * The reason a supervisor may give with a moved-item decision (docs/design.md §13), at most 500
 * characters as the API takes: on the item's card and on the bar deciding the selected items.
 */
export function DecisionReason(props: {
  ariaLabel: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      Reason{' '}
      <input
        aria-label={props.ariaLabel}
        maxLength={500}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
