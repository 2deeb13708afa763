import { useState } from 'react';
import type { ReactNode } from 'react';

/** Which rows a scroll position shows, with `overscan` rows either side. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { start, end };
}

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  height: number;
  label: string;
  renderRow(item: T, index: number): ReactNode;
  /** Called when the user scrolls near the end (to load the next page). */
  onNearEnd?: () => void;
  header?: ReactNode;
}

/**
 * A list that renders only the rows in view (style "Front ends": long lists are virtualized), so thousands of
 * sessions scroll smoothly; rows are absolutely positioned inside a spacer of the full height.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  height,
  label,
  renderRow,
  onNearEnd,
  header,
}: VirtualListProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const { start, end } = visibleRange(scrollTop, height, rowHeight, items.length);
  return (
    <div className="vlist" role="table" aria-label={label} aria-rowcount={items.length + 1}>
      {header}
      <div
        className="vlist-viewport"
        style={{ height, overflowY: 'auto' }}
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          if (onNearEnd && el.scrollTop + el.clientHeight > el.scrollHeight - rowHeight * 20) {
            onNearEnd();
          }
        }}
      >
        <div role="rowgroup" style={{ height: items.length * rowHeight, position: 'relative' }}>
          {items.slice(start, end).map((item, i) => (
            <div
              key={start + i}
              role="row"
              aria-rowindex={start + i + 2}
              className="vlist-row"
              style={{
                position: 'absolute',
                top: (start + i) * rowHeight,
                height: rowHeight,
                left: 0,
                right: 0,
              }}
            >
              {renderRow(item, start + i)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
