/** One server-sent event to write: `event: <event>` (when set), then `data: <data>`, then a blank line. */
export interface SseFrame {
  event?: string;
  data: string;
}
