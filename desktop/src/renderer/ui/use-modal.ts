import { useEffect, useRef } from 'react';

/**
 * A `<dialog>` shown modal while the component is mounted and closed when it goes away: the
 * console's drawers and dialogs (focus stays inside, Escape is the dialog's `cancel`).
 */
export function useModal() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return ref;
}
