export { SseFrame } from './sse-frame';
