-- The summary triggers plan their statements over a whole statement's
-- transition table: a bulk load of a million messages estimates costs far
-- above jit_above_cost, and PostgreSQL then compiles each statement with
-- inlining and optimisation. The compilation costs more than it saves on
-- these grouping and upserting statements (about a second of backend CPU for
-- scale S's 990,589 messages in the message summaries' trigger alone, some 8%
-- of its time), and a live feed's small statements never reach the threshold
-- either way. Each function keeps its other settings.
ALTER FUNCTION message_summaries_maintain() SET jit = off;
ALTER FUNCTION first_inbound_levels() SET jit = off;
ALTER FUNCTION intent_summaries_maintain() SET jit = off;
ALTER FUNCTION flow_trigger_summaries_maintain() SET jit = off;
ALTER FUNCTION conversation_summaries_conversations() SET jit = off;
ALTER FUNCTION conversation_summaries_messages() SET jit = off;
ALTER FUNCTION phrase_levels_maintain() SET jit = off;
ALTER FUNCTION assignment_summaries_maintain() SET jit = off;
ALTER FUNCTION response_runs_maintain() SET jit = off;
ALTER FUNCTION agent_message_summaries_maintain() SET jit = off;
