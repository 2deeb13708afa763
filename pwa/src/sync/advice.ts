/**
 * What a counter can do about each sync verdict (issue #4: every conflict or error is shown with
 * its reason and what the user can do). Unknown codes get the server's own message and a safe
 * default: the record is kept for a supervisor.
 */
const ADVICE: Record<string, string> = {
  LOCK_LOST:
    'A supervisor released this rack while you were offline. Your count is kept for the supervisor to accept or discard; tell them it is there.',
  STALE_TOKEN:
    'This count carries an old claim on the rack: the rack was claimed again (on another phone, or by you after a release). Your count is kept for the supervisor; open the rack on the phone that holds it now and count the item again there if it is missing.',
  SESSION_CLOSED:
    'The session was closed before this count arrived. It is kept for the supervisor, who can reopen the session.',
  DUPLICATE_SERIAL:
    'This serial was already counted in this session. Check the label; the supervisor decides which count stands.',
  VARIANCE_UNCONFIRMED: 'Strict session: confirm the variance and count the item again.',
  VARIANCE_REASON_REQUIRED:
    'Strict session: count the item again and give a reason for the variance.',
  RACK_NOT_CLAIMED: 'You no longer hold this rack. Claim it again, then count the item again.',
  RACK_COMPLETED: 'The rack was already completed. Ask a supervisor to reopen it for a recount.',
  SERIAL_COUNT_MISMATCH: 'Scan one serial per unit counted, then save the count again.',
  SUPERSEDES_UNKNOWN: 'The count this one corrects was not found. Count the item again.',
  ITEM_NOT_FOUND: 'The item code is not in the item master. Record it as an unknown item.',
  VALIDATION_FAILED: 'Something in this count is not valid (see the fields below). Count it again.',
  RECOUNT_NOT_ELIGIBLE:
    'A recount must be done by someone who has not counted the item yet, and the server says you already counted this item in this rack. Your count stays on this phone: show it to your supervisor, who can give the task to somebody else.',
  BIN_DECIDED:
    'A supervisor already decided this item in this rack, so the server did not take your correction. It stays on this phone: show it to your supervisor, who can override the decision.',
  RECOUNT_TASK_UNKNOWN:
    'This recount task is no longer open for this item and rack (a supervisor may have cancelled or moved it). Your count stays on this phone: show it to your supervisor.',
  CONFLICT_BUDGET_EXCEEDED:
    'You already have many counts waiting for a supervisor in this session, so the server did not keep this one. It stays on this phone: show it to your supervisor.',
  UNKNOWN_ITEM_BUDGET_EXCEEDED:
    'You already have many unknown items waiting for a supervisor in this session, so the server did not keep this one. It stays on this phone: show it to your supervisor.',
};

/** The advice for a verdict code. */
export function adviceFor(code: string | null, status: 'conflict' | 'error'): string {
  if (code !== null && ADVICE[code]) return ADVICE[code];
  return status === 'conflict'
    ? 'Kept for your supervisor to resolve. Nothing is lost.'
    : 'The server could not store this record. Show it to your supervisor.';
}
