import { useEffect, useRef } from 'react';
import { WedgeDetector } from '../../scan/wedge';

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return (
    target instanceof HTMLInputElement &&
    !['button', 'checkbox', 'radio', 'submit', 'reset', 'file'].includes(target.type)
  );
}

/**
 * Captures keyboard-wedge scans anywhere on the screen (issue #4). Keys typed into a text field
 * stay with that field (its own Enter handles them), so manual entry and the wedge never fight.
 */
export function useWedge(onCode: (code: string) => void, enabled = true): void {
  const handler = useRef(onCode);
  handler.current = onCode;
  useEffect(() => {
    if (!enabled) return;
    const detector = new WedgeDetector();
    const onKey = (event: KeyboardEvent) => {
      if (isEditable(event.target)) {
        detector.reset();
        return;
      }
      const verdict = detector.push(event);
      if (verdict.kind === 'code') {
        event.preventDefault();
        handler.current(verdict.code);
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}
