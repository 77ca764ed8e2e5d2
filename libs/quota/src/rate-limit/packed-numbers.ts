/** Most bytes one number takes: a MessagePack float 64 (marker and 8 bytes). */
const MAX_NUMBER_BYTES = 9;
/** An array's header: marker and a 32-bit length. */
const MAX_HEADER_BYTES = 5;

/**
 * Numbers as one MessagePack array, for a Lua script to read with Redis' built-in `cmsgpack.unpack`: one
 * argument instead of one string per number, which spares ioredis an argument each and the script a string
 * to parse each (Redis' Lua turns every argument into an interned string). Non-negative integers below 2^32
 * take 1–5 bytes; any other number is sent as a float 64, exact for every JavaScript number.
 */
export function packNumbers(values: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(MAX_HEADER_BYTES + values.length * MAX_NUMBER_BYTES);
  let at: number;
  if (values.length < 16) {
    at = buffer.writeUInt8(0x90 | values.length, 0);
  } else if (values.length < 0x10000) {
    at = buffer.writeUInt16BE(values.length, buffer.writeUInt8(0xdc, 0));
  } else {
    at = buffer.writeUInt32BE(values.length, buffer.writeUInt8(0xdd, 0));
  }
  for (const value of values) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      at = buffer.writeDoubleBE(value, buffer.writeUInt8(0xcb, at));
    } else if (value < 0x80) {
      at = buffer.writeUInt8(value, at);
    } else if (value < 0x100) {
      at = buffer.writeUInt8(value, buffer.writeUInt8(0xcc, at));
    } else if (value < 0x10000) {
      at = buffer.writeUInt16BE(value, buffer.writeUInt8(0xcd, at));
    } else {
      at = buffer.writeUInt32BE(value, buffer.writeUInt8(0xce, at));
    }
  }
  return buffer.subarray(0, at);
}
