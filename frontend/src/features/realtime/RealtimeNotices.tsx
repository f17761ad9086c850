/** Placeholder: replaced by the realtime feature. */
export function RealtimeNotices() {
  return null;
}
