/**
 * Announces decisions newer than the view ("3 new decisions — Show") instead of inserting them
 * above the row being read. The live region is always present so screen readers announce it.
 */
export function NewEntriesNotice(props: { count: number; overflow: boolean; onShow: () => void }) {
  const { count, overflow, onShow } = props;
  const label = `${count}${overflow ? '+' : ''} new decision${count === 1 && !overflow ? '' : 's'}`;
  return (
    <div className="new-entries" role="status">
      {count > 0 && (
        <button type="button" className="button button--accent" onClick={onShow}>
          {label} — show
        </button>
      )}
    </div>
  );
}
