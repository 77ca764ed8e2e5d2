/**
 * The Redis side of `RedisSlidingWindow`, run atomically by EVALSHA. Same algorithm as
 * `MemorySlidingWindow`, plus a running total per window so a check costs O(expired entries). One call
 * decides a batch of requests, one after the other, exactly as separate calls in that order would.
 */
export const SLIDING_WINDOW_LUA = `
-- Sliding-log rate limit over several windows, atomically: all are checked, then the request is recorded
-- in all of them or in none. Several requests are decided in turn, each seeing the ones before it.
-- KEYS: per request, per window: a sorted set (member "<id>:<weight>", score = time in ms); its running total
-- is the key "<sorted set's key>:sum" (not passed, to keep the command short: single Redis only, no Cluster).
-- ARGV: the instance's member prefix and the sequence number of the batch's first request (a request's id is
-- the prefix and its sequence number), then per request: now (ms), its number of windows, then per window:
-- "<window ms> <limit> <weight>".
-- Returns: per request: admitted (1/0), then per window: used, retry-after ms (-1: never fits), reset ms.
local result, n = {}, 0
local windows, limits, weights, used, evicted = {}, {}, {}, {}, {}
local prefix, sequence = ARGV[1], tonumber(ARGV[2])
local key, arg = 0, 3

local function weight_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end

while arg <= #ARGV do
  local now, count = tonumber(ARGV[arg]), tonumber(ARGV[arg + 1])
  local id = prefix .. string.format('%d', sequence)
  local allowed = 1
  for i = 1, count do
    local log = KEYS[key + i]
    local total = log .. ':sum'
    local window, limit, weight = string.match(ARGV[arg + 1 + i], '^(%S+) (%S+) (%S+)$')
    window, limit, weight = tonumber(window), tonumber(limit), tonumber(weight)
    local sum = tonumber(redis.call('GET', total) or '0')
    local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
    evicted[i] = #expired > 0
    if evicted[i] then
      for j = 1, #expired do sum = sum - weight_of(expired[j]) end
      redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
    end
    windows[i], limits[i], weights[i], used[i] = window, limit, weight, sum
    if sum + weight > limit then allowed = 0 end
  end

  n = n + 1
  result[n] = allowed
  for i = 1, count do
    local log = KEYS[key + i]
    local total = log .. ':sum'
    local window, limit, weight = windows[i], limits[i], weights[i]
    local retry = 0
    if allowed == 1 then
      used[i] = used[i] + weight
      redis.call('ZADD', log, now, id .. ':' .. weight)
      redis.call('PEXPIRE', log, window)
      -- The new total, and both keys live for one more window.
      redis.call('SET', total, string.format('%d', used[i]), 'PX', window)
    else
      if evicted[i] then redis.call('SET', total, string.format('%d', used[i]), 'KEEPTTL') end
      if used[i] + weight > limit then
        if weight > limit then
          retry = -1
        else
          -- Walk the oldest entries until enough weight would have left the window.
          local excess, freed, start = used[i] + weight - limit, 0, 0
          while freed < excess do
            local batch = redis.call('ZRANGE', log, start, start + 99, 'WITHSCORES')
            if #batch == 0 then break end
            for j = 1, #batch, 2 do
              freed = freed + weight_of(batch[j])
              if freed >= excess then retry = tonumber(batch[j + 1]) + window - now break end
            end
            start = start + 100
          end
        end
      end
    end
    local newest = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
    local reset = 0
    if newest[2] then reset = math.max(0, tonumber(newest[2]) + window - now) end
    result[n + 1], result[n + 2], result[n + 3] = used[i], retry, reset
    n = n + 3
  end
  key = key + count
  arg = arg + 2 + count
  sequence = sequence + 1
end
return result
`;
