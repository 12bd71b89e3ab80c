-- sorted_us_percentile_cont plans its statements once per connection.
--
-- PL/pgSQL keeps a plan of each statement of a function per connection, and
-- PostgreSQL makes the first five executions of each a custom plan, with
-- the parameters' values put into it as constants, before it settles on
-- the generic plan. This function's parameter is every sorted array of the
-- group (over 90 days at scale M, about half a megabyte for each of 12
-- agents: 727,987 response times in all), copied into each custom plan of
-- each of its statements, for each call. So a new connection's first
-- percentiles paid for those copies: the operator response time's 90th
-- percentile by agent over 90 days at scale M (12 calls of the function)
-- took 132 to 138 ms as a session's first statement and 86 to 97 ms as its
-- second, 173 to 185 ms at every run when forced to custom plans; with the
-- generic plan from the first call, 103 to 125 and 76 to 87 ms (80 to 92
-- ms after, either way). The plans are the same (nested loops over the
-- unnested arrays, as auto_explain shows them both ways): the statements
-- unnest the arrays whole or slice them where width_bucket says.

ALTER FUNCTION sorted_us_percentile_cont(float8, bigint, sorted_us[]) SET plan_cache_mode = force_generic_plan;
