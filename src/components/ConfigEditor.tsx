import React, { ChangeEvent, FormEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection } from '@grafana/plugin-ui';
import {
  Combobox,
  ComboboxOption,
  Divider,
  Field,
  Input,
  SecretInput,
  SecretTextArea,
  Stack,
  Switch,
  Text,
} from '@grafana/ui';

import { ChatbotDataSourceOptions, ChatbotSecureJsonData, TLSMode } from '../types';

type Props = DataSourcePluginOptionsEditorProps<ChatbotDataSourceOptions, ChatbotSecureJsonData>;
type SecureKey = keyof ChatbotSecureJsonData;

/** Defaults the backend applies to settings left empty. */
export const DEFAULT_PORT = 5432;
export const DEFAULT_TLS_MODE: TLSMode = 'require';
export const DEFAULT_MAX_CONNS = 10;
export const MAX_MAX_CONNS = 100;
export const DEFAULT_STATEMENT_TIMEOUT = '30s';
/** A connection's lifetime in seconds, as the backend's models.DefaultConnMaxLifetime and its bounds. */
export const DEFAULT_CONN_MAX_LIFETIME = 14400;
export const MIN_CONN_MAX_LIFETIME = 60;
export const MAX_CONN_MAX_LIFETIME = 86400;
/** The response budget, as the backend's models.DefaultMaxResponseBytes and its bounds, in MiB. */
export const DEFAULT_MAX_RESPONSE_MIB = 16;
export const MAX_MAX_RESPONSE_MIB = 1024;
const MIB = 1 << 20;

const TLS_MODE_OPTIONS: Array<ComboboxOption<TLSMode>> = [
  { label: 'disable', value: 'disable', description: 'No TLS' },
  { label: 'require', value: 'require', description: 'TLS without verifying the server certificate' },
  { label: 'verify-ca', value: 'verify-ca', description: 'TLS, server certificate signed by the CA below' },
  { label: 'verify-full', value: 'verify-full', description: 'As verify-ca, and the host name must match' },
];

const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;

const LABEL_WIDTH = 40;

/** The PEM texts of TLS, each kept in secureJsonData. */
const PEM_FIELDS: Array<{ key: SecureKey; id: string; label: string; description: string; placeholder: string }> = [
  {
    key: 'tlsCACert',
    id: 'chatbot-config-tls-ca',
    label: 'CA certificate',
    description: 'PEM; needed for verify-ca and verify-full',
    placeholder: '-----BEGIN CERTIFICATE-----',
  },
  {
    key: 'tlsClientCert',
    id: 'chatbot-config-tls-client-cert',
    label: 'Client certificate',
    description: 'PEM; only with client certificate authentication, together with the key',
    placeholder: '-----BEGIN CERTIFICATE-----',
  },
  {
    key: 'tlsClientKey',
    id: 'chatbot-config-tls-client-key',
    label: 'Client key',
    description: 'PEM',
    placeholder: '-----BEGIN PRIVATE KEY-----',
  },
];

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};
  const tlsMode = jsonData.tlsMode ?? DEFAULT_TLS_MODE;

  const setJson = <K extends keyof ChatbotDataSourceOptions>(key: K, value: ChatbotDataSourceOptions[K]) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });

  const onText =
    (key: 'host' | 'database' | 'user' | 'workspace' | 'statementTimeout' | 'replicaHost') =>
    (e: ChangeEvent<HTMLInputElement>) =>
      setJson(key, e.currentTarget.value);

  const onNumber =
    (key: 'port' | 'maxConns' | 'replicaPort' | 'connMaxLifetime') => (e: ChangeEvent<HTMLInputElement>) => {
      const raw = e.currentTarget.value.trim();
      const value = raw === '' ? undefined : Number(raw);
      setJson(key, value === undefined || Number.isNaN(value) ? undefined : value);
    };

  // Shown in MiB, stored in bytes as the backend reads it.
  const onResponseMiB = (e: ChangeEvent<HTMLInputElement>) => {
    const raw = e.currentTarget.value.trim();
    const value = raw === '' ? undefined : Number(raw);
    setJson('maxResponseBytes', value === undefined || Number.isNaN(value) ? undefined : Math.round(value * MIB));
  };

  const onSecret = (key: SecureKey) => (e: FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: e.currentTarget.value } });

  const onReset = (key: SecureKey) => () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, [key]: false },
      secureJsonData: { ...secureJsonData, [key]: '' },
    });

  const isSet = (key: SecureKey) => Boolean(secureJsonFields?.[key]);

  const workspaceMissing = !(jsonData.workspace ?? '').trim();
  const timeoutInvalid = Boolean(jsonData.statementTimeout) && !DURATION.test(jsonData.statementTimeout ?? '');
  const maxConnsInvalid = notWholeWithin(jsonData.maxConns, 1, MAX_MAX_CONNS);
  const lifetimeInvalid = notWholeWithin(jsonData.connMaxLifetime, MIN_CONN_MAX_LIFETIME, MAX_CONN_MAX_LIFETIME);
  const responseMiB = jsonData.maxResponseBytes === undefined ? undefined : jsonData.maxResponseBytes / MIB;
  const responseInvalid = notWholeWithin(responseMiB, 1, MAX_MAX_RESPONSE_MIB);
  const portInvalid = notWholeWithin(jsonData.port, 1, 65535);
  const needsCA = tlsMode === 'verify-ca' || tlsMode === 'verify-full';
  const replica = replicaProblem(jsonData);

  return (
    <Stack direction="column" gap={2}>
      <Text element="p" color="secondary">
        Reads chatbot and contact-center analytics from a PostgreSQL conversation store. Fields marked with * are
        required.
      </Text>

      <ConfigSection title="Connection" description="The PostgreSQL server that holds the conversation store.">
        <Field label="Host" required htmlFor="chatbot-config-host">
          <Input
            id="chatbot-config-host"
            width={LABEL_WIDTH}
            value={jsonData.host ?? ''}
            placeholder="db.example.com"
            onChange={onText('host')}
          />
        </Field>
        <Field label="Port" htmlFor="chatbot-config-port" invalid={portInvalid} error="Use a port between 1 and 65535">
          <Input
            id="chatbot-config-port"
            type="number"
            width={16}
            value={jsonData.port ?? ''}
            placeholder={String(DEFAULT_PORT)}
            onChange={onNumber('port')}
          />
        </Field>
        <Field label="Database" required htmlFor="chatbot-config-database">
          <Input
            id="chatbot-config-database"
            width={LABEL_WIDTH}
            value={jsonData.database ?? ''}
            placeholder="chatbot"
            onChange={onText('database')}
          />
        </Field>
        <Field label="User" required htmlFor="chatbot-config-user" description="A user with read access">
          <Input
            id="chatbot-config-user"
            width={LABEL_WIDTH}
            value={jsonData.user ?? ''}
            placeholder="grafana_reader"
            onChange={onText('user')}
          />
        </Field>
        <Field label="Password" htmlFor="chatbot-config-password">
          <SecretInput
            id="chatbot-config-password"
            width={LABEL_WIDTH}
            isConfigured={isSet('password')}
            value={secureJsonData.password ?? ''}
            placeholder="Password"
            onChange={onSecret('password')}
            onReset={onReset('password')}
          />
        </Field>
        <Field
          label="Require a read-only role"
          htmlFor="chatbot-config-require-read-only-role"
          description="Refuse to run as a user that can change the store: a superuser, CREATE on its schema, or INSERT, UPDATE, DELETE or TRUNCATE on a table"
        >
          <Switch
            id="chatbot-config-require-read-only-role"
            value={jsonData.requireReadOnlyRole ?? false}
            onChange={(e) => setJson('requireReadOnlyRole', e.currentTarget.checked)}
          />
        </Field>
      </ConfigSection>

      <Divider />

      <ConfigSection
        title="Read replica"
        description="Optional: a PostgreSQL streaming replica of the store that queries read from, reached with the database, user, password and TLS settings above. When it cannot answer, the primary does, with a notice."
        isCollapsible
        isInitiallyOpen={Boolean(jsonData.replicaHost || jsonData.replicaPort)}
      >
        <Field
          label="Replica host"
          htmlFor="chatbot-config-replica-host"
          description="Leave empty to read from the primary only"
          invalid={replica.host !== undefined}
          error={replica.host}
        >
          <Input
            id="chatbot-config-replica-host"
            width={LABEL_WIDTH}
            value={jsonData.replicaHost ?? ''}
            placeholder="replica.db.example.com"
            onChange={onText('replicaHost')}
          />
        </Field>
        <Field
          label="Replica port"
          htmlFor="chatbot-config-replica-port"
          invalid={replica.port !== undefined}
          error={replica.port}
        >
          <Input
            id="chatbot-config-replica-port"
            type="number"
            width={16}
            value={jsonData.replicaPort ?? ''}
            placeholder={String(jsonData.port ?? DEFAULT_PORT)}
            onChange={onNumber('replicaPort')}
          />
        </Field>
      </ConfigSection>

      <Divider />

      <ConfigSection title="TLS" description="How the connection to PostgreSQL is encrypted (PostgreSQL sslmode).">
        <Field label="TLS mode" htmlFor="chatbot-config-tls-mode">
          <Combobox<TLSMode>
            id="chatbot-config-tls-mode"
            width={LABEL_WIDTH}
            options={TLS_MODE_OPTIONS}
            value={tlsMode}
            onChange={(option) => setJson('tlsMode', option.value)}
          />
        </Field>
        {tlsMode !== 'disable' &&
          PEM_FIELDS.map((pem) => (
            <Field
              key={pem.key}
              label={pem.label}
              required={pem.key === 'tlsCACert' && needsCA}
              description={pem.description}
              htmlFor={pem.id}
            >
              <SecretTextArea
                id={pem.id}
                cols={60}
                rows={5}
                isConfigured={isSet(pem.key)}
                value={secureJsonData[pem.key] ?? ''}
                placeholder={pem.placeholder}
                onChange={onSecret(pem.key)}
                onReset={onReset(pem.key)}
              />
            </Field>
          ))}
      </ConfigSection>

      <Divider />

      <ConfigSection title="Workspace">
        <Field
          label="Workspace"
          required
          description="Only this workspace's rows are ever returned"
          htmlFor="chatbot-config-workspace"
          invalid={workspaceMissing}
          error="Enter the workspace slug"
        >
          <Input
            id="chatbot-config-workspace"
            width={LABEL_WIDTH}
            value={jsonData.workspace ?? ''}
            placeholder="workspace slug, e.g. acme"
            onChange={onText('workspace')}
          />
        </Field>
      </ConfigSection>

      <Divider />

      <ConfigSection title="Pool" description="Connections and limits used for queries.">
        <Field
          label="Max connections"
          htmlFor="chatbot-config-max-conns"
          description={`1 to ${MAX_MAX_CONNS}`}
          invalid={maxConnsInvalid}
          error={`Use a whole number from 1 to ${MAX_MAX_CONNS}`}
        >
          <Input
            id="chatbot-config-max-conns"
            type="number"
            width={16}
            value={jsonData.maxConns ?? ''}
            placeholder={String(DEFAULT_MAX_CONNS)}
            onChange={onNumber('maxConns')}
          />
        </Field>
        <Field
          label="Max lifetime"
          htmlFor="chatbot-config-conn-max-lifetime"
          description="Seconds a connection is kept, idle or not, before it is replaced (under 300 behind private data source connect)"
          invalid={lifetimeInvalid}
          error={`Use a whole number of seconds from ${MIN_CONN_MAX_LIFETIME} to ${MAX_CONN_MAX_LIFETIME}`}
        >
          <Input
            id="chatbot-config-conn-max-lifetime"
            type="number"
            width={16}
            value={jsonData.connMaxLifetime ?? ''}
            placeholder={String(DEFAULT_CONN_MAX_LIFETIME)}
            onChange={onNumber('connMaxLifetime')}
          />
        </Field>
        <Field
          label="Statement timeout"
          htmlFor="chatbot-config-statement-timeout"
          description="Longest a query may run, e.g. 30s or 2m"
          invalid={timeoutInvalid}
          error="Use a duration such as 30s, 2m or 1h"
        >
          <Input
            id="chatbot-config-statement-timeout"
            width={16}
            value={jsonData.statementTimeout ?? ''}
            placeholder={DEFAULT_STATEMENT_TIMEOUT}
            onChange={onText('statementTimeout')}
          />
        </Field>
        <Field
          label="Max response size (MiB)"
          htmlFor="chatbot-config-max-response"
          description="Most data one query may answer; a larger answer is shortened, with a notice"
          invalid={responseInvalid}
          error={`Use a whole number from 1 to ${MAX_MAX_RESPONSE_MIB}`}
        >
          <Input
            id="chatbot-config-max-response"
            type="number"
            width={16}
            value={responseMiB ?? ''}
            placeholder={String(DEFAULT_MAX_RESPONSE_MIB)}
            onChange={onResponseMiB}
          />
        </Field>
      </ConfigSection>
    </Stack>
  );
}

/** Whether a number that is set is not a whole number from min to max (an empty one is the default). */
function notWholeWithin(value: number | undefined, min: number, max: number): boolean {
  return value !== undefined && (!Number.isInteger(value) || value < min || value > max);
}

/** What is wrong with the read replica's address, per field, as the backend checks it. */
function replicaProblem(jsonData: ChatbotDataSourceOptions): { host?: string; port?: string } {
  const host = (jsonData.replicaHost ?? '').trim();
  const port = jsonData.replicaPort;
  if (notWholeWithin(port, 1, 65535)) {
    return { port: "Use a port between 1 and 65535, or leave it empty for the primary's port" };
  }
  if (!host) {
    return port === undefined ? {} : { host: 'Enter the replica host, or clear the replica port' };
  }
  const primaryHost = (jsonData.host ?? '').trim();
  const samePort = (port ?? jsonData.port ?? DEFAULT_PORT) === (jsonData.port ?? DEFAULT_PORT);
  if (host.toLowerCase() === primaryHost.toLowerCase() && samePort) {
    return { host: "This is the primary's address: enter a streaming replica's host and port" };
  }
  return {};
}
