/** How many of a window's oldest entries `retry-after` walks before answering "when the window is empty". */
export const RETRY_WALK_LIMIT = 256;

/**
 * The Redis side of `RedisSlidingWindow`, run atomically by EVALSHA. Same decisions as `MemorySlidingWindow`;
 * one call decides a batch of requests, one after the other, exactly as separate calls in that order would.
 *
 * A window is one Redis LIST: element 0 is its state "<total weight> <entries> <newest ms> <newest's weight>",
 * then its entries "<ms> <weight>", oldest first, at most one per millisecond (requests of the same
 * millisecond are one entry), so a window of `w` ms holds at most `w` entries whatever the rate. A call reads
 * each window it touches once (its state and oldest entries in one LRANGE), decides all its requests in Lua
 * tables, and writes each window back once at the end: LTRIM of what left it, LSET of the state, RPUSH of the
 * new entries, PEXPIRE. Per window and call that is ~5 commands, however many requests the batch holds.
 */
export const SLIDING_WINDOW_LUA = `
-- KEYS: the distinct windows of the batch (LISTs as described above).
-- ARGV[1]: a MessagePack array of numbers: per request: now (ms), its number of windows, then per window:
-- its KEYS index, length (ms), limit and weight.
-- Returns: per request: admitted (1/0), then per window: used, retry-after ms (-1: never fits), reset ms.
local FIRST_READ, CHUNK, WALK = 4, 64, ${RETRY_WALK_LIMIT}
local logs = {}

-- A window in memory. Entries by position: 1..listed are in the LIST (element p is entry p; 'raw' holds those
-- read, 'at' and 'weight' those parsed), listed+1..size are new in this call; 'first' is the oldest still in
-- the window.
local function open(key)
  local log = logs[key]
  if log then return log end
  local head = redis.call('LRANGE', key, 0, FIRST_READ)
  log = { key = key, raw = {}, at = {}, weight = {}, listed = 0, read = 0, size = 0, first = 1, total = 0,
          newest = 0, newest_weight = 0, tail_added = 0, window = 0, changed = false, admitted = false }
  if head[1] then
    local total, count, newest, newest_weight = string.match(head[1], '^(%d+) (%d+) (%d+) (%d+)$')
    log.total, log.listed, log.newest, log.newest_weight =
      tonumber(total), tonumber(count), tonumber(newest), tonumber(newest_weight)
    log.size, log.listed_newest, log.listed_newest_weight = log.listed, log.newest, log.newest_weight
    for i = 2, #head do log.raw[i - 1] = head[i] end
    log.read = #head - 1
  end
  logs[key] = log
  return log
end

-- Makes sure entry i is parsed: new entries always are; listed ones are read in chunks.
local function load(log, i)
  if log.at[i] then return end
  while i > log.read do
    local chunk = redis.call('LRANGE', log.key, log.read + 1, log.read + CHUNK)
    if #chunk == 0 then error('rate-limit window ' .. log.key .. ' is shorter than its state says') end
    for j = 1, #chunk do log.raw[log.read + j] = chunk[j] end
    log.read = log.read + #chunk
  end
  local entry = log.raw[i]
  local space = string.find(entry, ' ', 1, true)
  log.at[i], log.weight[i] = tonumber(string.sub(entry, 1, space - 1)), tonumber(string.sub(entry, space + 1))
  -- The listed tail may have grown in this call (requests of its millisecond).
  if i == log.listed then log.weight[i] = log.weight[i] + log.tail_added end
end

local function evict(log, now, window)
  local cutoff = now - window
  if log.first > log.size then return end
  if log.newest <= cutoff then
    -- Everything left the window: no need to read what.
    log.first, log.total, log.changed = log.size + 1, 0, true
    return
  end
  while true do
    local i = log.first
    load(log, i)
    if log.at[i] > cutoff then return end
    log.total, log.first, log.changed = log.total - log.weight[i], i + 1, true
  end
end

-- Records weight at now, or at the newest entry's time if that is later (another instance's clock ahead):
-- entries stay in time order, and such a request leaves the window a little later than its own clock says.
local function record(log, now, weight)
  if log.first <= log.size and log.newest >= now then
    local i = log.size
    if i > log.listed then
      log.weight[i] = log.weight[i] + weight
    else
      log.tail_added = log.tail_added + weight
      if log.at[i] then log.weight[i] = log.weight[i] + weight end
    end
    log.newest_weight = log.newest_weight + weight
  else
    local i = log.size + 1
    log.size, log.at[i], log.weight[i] = i, now, weight
    log.newest, log.newest_weight = now, weight
  end
  log.total, log.changed, log.admitted = log.total + weight, true, true
end

-- How long until enough of the oldest weight leaves for 'excess' more to fit. Past WALK entries, the time
-- the whole window empties: later than the exact answer, never earlier.
local function retry_after(log, now, window, excess)
  local freed = 0
  for i = log.first, math.min(log.size, log.first + WALK - 1) do
    load(log, i)
    freed = freed + log.weight[i]
    if freed >= excess then return log.at[i] + window - now end
  end
  return log.newest + window - now
end

local function save(log)
  local key = log.key
  local trimmed = math.min(log.first - 1, log.listed)
  local kept = log.listed - trimmed
  local from = math.max(log.first, log.listed + 1)
  local count = kept + log.size - from + 1
  if count == 0 then
    redis.call('DEL', key)
    return
  end
  local state = string.format('%d %d %d %d', log.total, count, log.newest, log.newest_weight)
  local new = {}
  for i = from, log.size do new[#new + 1] = string.format('%d %d', log.at[i], log.weight[i]) end
  if log.listed == 0 then
    redis.call('RPUSH', key, state, unpack(new))
  else
    -- Keeps the last trimmed element as the state's slot.
    if trimmed > 0 then redis.call('LTRIM', key, trimmed, -1) end
    redis.call('LSET', key, 0, state)
    if log.tail_added > 0 and kept > 0 then
      redis.call('LSET', key, -1, string.format('%d %d', log.listed_newest, log.listed_newest_weight + log.tail_added))
    end
    if #new > 0 then redis.call('RPUSH', key, unpack(new)) end
  end
  if log.admitted then redis.call('PEXPIRE', key, log.window) end
end

local args = cmsgpack.unpack(ARGV[1])
local result, n, arg = {}, 0, 1
-- One request's windows, reused from request to request.
local windows, lengths, limits, weights = {}, {}, {}, {}
while arg <= #args do
  local now, count = args[arg], args[arg + 1]
  arg = arg + 2
  local allowed = 1
  for i = 1, count do
    local log = open(KEYS[args[arg]])
    local window, limit, weight = args[arg + 1], args[arg + 2], args[arg + 3]
    arg = arg + 4
    evict(log, now, window)
    log.window = window
    windows[i], lengths[i], limits[i], weights[i] = log, window, limit, weight
    if log.total + weight > limit then allowed = 0 end
  end
  n = n + 1
  result[n] = allowed
  for i = 1, count do
    local log, window, limit, weight = windows[i], lengths[i], limits[i], weights[i]
    local retry = 0
    if allowed == 1 then
      record(log, now, weight)
    elseif log.total + weight > limit then
      if weight > limit then retry = -1 else retry = retry_after(log, now, window, log.total + weight - limit) end
    end
    local reset = 0
    if log.first <= log.size then reset = math.max(0, log.newest + window - now) end
    result[n + 1], result[n + 2], result[n + 3] = log.total, retry, reset
    n = n + 3
  end
end
for i = 1, #KEYS do
  local log = logs[KEYS[i]]
  if log.changed then save(log) end
end
return result
`;
