-- A read-only login role for the Grafana data source: CONNECT on the
-- database, USAGE on the store's schema, SELECT on the tables the plugin
-- reads, and nothing else. Run it as the store's owner or a superuser, after
-- creating the role:
--
--   psql "$DATABASE_URL" -c "CREATE ROLE grafana_reader LOGIN PASSWORD 'a long secret'"
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -v role=grafana_reader -v schema=public -f pkg/store/roles/readonly.sql
--
-- or let chatbot-store create the role and run this script in one transaction:
--
--   go run ./pkg/cmd/chatbot-store grant-readonly -database-url URL -role grafana_reader -password 'a long secret'
--
-- The result is exact: whatever the role was granted directly on the
-- schema's tables and sequences is taken away first. Memberships in other
-- roles are left alone; the data source's "Require a read-only role" setting
-- refuses a role that can still write through one. Run the script again
-- after an upgrade whose migration adds a table.

-- Every session of the role is read-only, whichever client opens it.
ALTER ROLE :"role" SET default_transaction_read_only = on;

GRANT CONNECT ON DATABASE :"DBNAME" TO :"role";

REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"role";
REVOKE CREATE ON SCHEMA :"schema" FROM :"role";
GRANT USAGE ON SCHEMA :"schema" TO :"role";

-- The tables the plugin reads: schema_migrations for the health check's
-- schema version, the others for the metrics and records, the summaries
-- (kept by triggers that run as the schema's owner) included. The store
-- functions the plugin calls are message_phrase (the phrase metrics'
-- normalisation, migration 9) and sorted_us_percentile_cont (the operator
-- response time's percentiles, migration 30), which every
-- role may run (PUBLIC's default EXECUTE, left alone here, as is the default
-- USAGE of their type sorted_us); edit_distance runs when a row is written.
-- The monthly partitions of messages need no grant: the plugin reads them
-- through messages, whose grant is what counts.
GRANT SELECT ON TABLE
    :"schema".schema_migrations,
    :"schema".workspaces,
    :"schema".teams,
    :"schema".agents,
    :"schema".inboxes,
    :"schema".contacts,
    :"schema".tasks,
    :"schema".flows,
    :"schema".markers,
    :"schema".conversations,
    :"schema".messages,
    :"schema".assignments,
    :"schema".agent_presence,
    :"schema".flow_triggers,
    :"schema".conversation_markers,
    :"schema".page_visits,
    :"schema".template_sends,
    :"schema".credit_ledger,
    :"schema".ai_assist_uses,
    :"schema".message_slots,
    :"schema".message_hours,
    :"schema".message_days,
    :"schema".contact_slots,
    :"schema".contact_hours,
    :"schema".contact_days,
    :"schema".agent_message_slots,
    :"schema".agent_message_hours,
    :"schema".agent_message_days,
    :"schema".message_minutes,
    :"schema".message_minute_peaks,
    :"schema".contact_first_inbound,
    :"schema".first_inbound_slots,
    :"schema".first_inbound_hours,
    :"schema".first_inbound_days,
    :"schema".intent_slots,
    :"schema".intent_hours,
    :"schema".intent_days,
    :"schema".intent_total_slots,
    :"schema".intent_total_hours,
    :"schema".intent_total_days,
    :"schema".flow_trigger_slots,
    :"schema".flow_trigger_hours,
    :"schema".flow_trigger_days,
    :"schema".conversation_slots,
    :"schema".conversation_hours,
    :"schema".conversation_days,
    :"schema".conversation_inbound,
    :"schema".phrase_hours,
    :"schema".phrase_days,
    :"schema".assignment_slots,
    :"schema".assignment_hours,
    :"schema".assignment_days,
    :"schema".response_runs,
    :"schema".response_run_slots,
    :"schema".response_run_hours,
    :"schema".response_run_days,
    :"schema".contact_inbound,
    :"schema".active_contact_slots,
    :"schema".active_contact_hours,
    :"schema".active_contact_days,
    :"schema".language_contact_slots,
    :"schema".language_contact_hours,
    :"schema".language_contact_days,
    :"schema".cc_message_slots,
    :"schema".cc_message_hours,
    :"schema".cc_message_days,
    :"schema".closing_reason_slots,
    :"schema".closing_reason_hours,
    :"schema".closing_reason_days,
    :"schema".template_send_slots,
    :"schema".template_send_hours,
    :"schema".template_send_days,
    :"schema".credit_movement_slots,
    :"schema".credit_movement_hours,
    :"schema".credit_movement_days,
    :"schema".page_visit_slots,
    :"schema".page_visit_hours,
    :"schema".page_visit_days,
    :"schema".phrase_totals,
    :"schema".phrase_direction_days,
    :"schema".phrase_direction_hours,
    :"schema".message_inbox_slots,
    :"schema".message_inbox_hours,
    :"schema".message_inbox_days,
    :"schema".conversation_inbox_slots,
    :"schema".conversation_inbox_hours,
    :"schema".conversation_inbox_days,
    :"schema".assignment_team_slots,
    :"schema".assignment_team_hours,
    :"schema".assignment_team_days,
    :"schema".assignment_agent_slots,
    :"schema".assignment_agent_hours,
    :"schema".assignment_agent_days,
    :"schema".message_inbox_shifted_hours,
    :"schema".conversation_inbox_shifted_hours,
    :"schema".assignment_team_shifted_hours,
    :"schema".message_task_slots,
    :"schema".message_task_hours,
    :"schema".message_task_days,
    :"schema".message_sender_slots,
    :"schema".message_sender_hours,
    :"schema".message_sender_days,
    :"schema".conversation_task_slots,
    :"schema".conversation_task_hours,
    :"schema".conversation_task_days
TO :"role";
