/**
 * The Redis side of `RedisSlidingWindow`, run atomically by EVALSHA. Same algorithm as
 * `MemorySlidingWindow`, plus a running total per window so a check costs O(expired entries).
 */
export const SLIDING_WINDOW_LUA = `
-- Sliding-log rate limit over several windows, atomically: all are checked, then the request is recorded
-- in all of them or in none.
-- KEYS: per window, a sorted set (member "<id>:<weight>", score = time in ms) and its running total.
-- ARGV: now (ms), a member id unique to this request, then per window: window ms, limit, weight.
-- Returns: admitted (1/0), then per window: used, retry-after ms (-1: never fits), reset ms.
local now = tonumber(ARGV[1])
local id = ARGV[2]
local count = #KEYS / 2
local used, allowed = {}, 1

local function weight_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end

for i = 1, count do
  local log, total = KEYS[2 * i - 1], KEYS[2 * i]
  local window = tonumber(ARGV[3 * i])
  local limit, weight = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local sum = tonumber(redis.call('GET', total) or '0')
  local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
  if #expired > 0 then
    for _, member in ipairs(expired) do sum = sum - weight_of(member) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
    redis.call('SET', total, sum, 'KEEPTTL')
  end
  used[i] = sum
  if sum + weight > limit then allowed = 0 end
end

local result = { allowed }
for i = 1, count do
  local log, total = KEYS[2 * i - 1], KEYS[2 * i]
  local window = tonumber(ARGV[3 * i])
  local limit, weight = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local retry = 0
  if allowed == 1 then
    redis.call('ZADD', log, now, id .. ':' .. weight)
    used[i] = redis.call('INCRBY', total, weight)
    redis.call('PEXPIRE', log, window)
    redis.call('PEXPIRE', total, window)
  elseif used[i] + weight > limit then
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
  local newest = redis.call('ZRANGE', log, -1, -1, 'WITHSCORES')
  local reset = 0
  if newest[2] then reset = math.max(0, tonumber(newest[2]) + window - now) end
  table.insert(result, used[i])
  table.insert(result, retry)
  table.insert(result, reset)
end
return result
`;
