import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { DataSourceSettings } from '@grafana/data';

import { ChatbotDataSourceOptions, ChatbotSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<ChatbotDataSourceOptions, ChatbotSecureJsonData>;

function settings(jsonData: ChatbotDataSourceOptions, secureJsonFields: Record<string, boolean> = {}): Settings {
  const value: Omit<Settings, 'database'> = {
    id: 1,
    uid: 'chatbot-uid',
    orgId: 1,
    name: 'Chatbot Metrics',
    type: 'chatbotmetrics-chatbot-datasource',
    typeName: 'Chatbot Metrics',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData,
    secureJsonFields,
    secureJsonData: {},
    readOnly: false,
    withCredentials: false,
  };
  return value as Settings;
}

describe('ConfigEditor', () => {
  it('shows the sections and the workspace description', () => {
    render(<ConfigEditor options={settings({ host: 'db', workspace: 'acme' })} onOptionsChange={jest.fn()} />);

    for (const title of ['Connection', 'TLS', 'Workspace', 'Pool']) {
      expect(screen.getByRole('heading', { name: title })).toBeInTheDocument();
    }
    expect(screen.getByText("Only this workspace's rows are ever returned")).toBeInTheDocument();
    expect(screen.getByDisplayValue('acme')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Host/)).toHaveValue('db');
  });

  it('hides the certificates when TLS is disabled and shows them otherwise', () => {
    const { rerender } = render(
      <ConfigEditor options={settings({ tlsMode: 'disable' })} onOptionsChange={jest.fn()} />
    );
    expect(screen.queryByLabelText(/^CA certificate/)).not.toBeInTheDocument();

    rerender(<ConfigEditor options={settings({ tlsMode: 'verify-full' })} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText(/^CA certificate/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Client certificate/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Client key/)).toBeInTheDocument();
  });

  it('flags a missing workspace and a bad statement timeout', () => {
    render(
      <ConfigEditor options={settings({ workspace: ' ', statementTimeout: 'soon' })} onOptionsChange={jest.fn()} />
    );

    expect(screen.getByText('Enter the workspace slug')).toBeInTheDocument();
    expect(screen.getByText('Use a duration such as 30s, 2m or 1h')).toBeInTheDocument();
  });

  it('switches the read-only role requirement on and shows it as set', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings({})} onOptionsChange={onOptionsChange} />);
    const toggle = screen.getByLabelText(/^Require a read-only role/);
    expect(toggle).not.toBeChecked();

    fireEvent.click(toggle);
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { requireReadOnlyRole: true } })
    );

    rerender(<ConfigEditor options={settings({ requireReadOnlyRole: true })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByLabelText(/^Require a read-only role/)).toBeChecked();
  });

  it('stores numbers as numbers', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({})} onOptionsChange={onOptionsChange} />);

    fireEvent.change(screen.getByLabelText(/^Port/), { target: { value: '6432' } });

    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { port: 6432 } }));
  });

  it("stores the connections' lifetime in seconds and flags one out of range", () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings({})} onOptionsChange={onOptionsChange} />);
    expect(screen.getByLabelText(/^Max lifetime/)).toHaveAttribute('placeholder', '14400');

    fireEvent.change(screen.getByLabelText(/^Max lifetime/), { target: { value: '240' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { connMaxLifetime: 240 } }));
    expect(screen.queryByText('Use a whole number of seconds from 60 to 86400')).not.toBeInTheDocument();

    rerender(<ConfigEditor options={settings({ connMaxLifetime: 30 })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('Use a whole number of seconds from 60 to 86400')).toBeInTheDocument();
  });

  it('shows the maximum response size in MiB and stores it in bytes', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(
      <ConfigEditor options={settings({ maxResponseBytes: 32 * 1048576 })} onOptionsChange={onOptionsChange} />
    );
    expect(screen.getByLabelText(/^Max response size/)).toHaveValue(32);

    fireEvent.change(screen.getByLabelText(/^Max response size/), { target: { value: '64' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { maxResponseBytes: 64 * 1048576 } })
    );

    rerender(<ConfigEditor options={settings({ maxResponseBytes: 4096 * 1048576 })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('Use a whole number from 1 to 1024')).toBeInTheDocument();
  });

  it('keeps the read replica folded until it is opened or set', () => {
    const { unmount } = render(<ConfigEditor options={settings({})} onOptionsChange={jest.fn()} />);
    expect(screen.getByRole('heading', { name: 'Read replica' })).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Replica host/)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Read replica' }));
    expect(screen.getByLabelText(/^Replica host/)).toBeInTheDocument();
    unmount();

    render(
      <ConfigEditor
        options={settings({ host: 'db', replicaHost: 'standby', replicaPort: 5433 })}
        onOptionsChange={jest.fn()}
      />
    );
    expect(screen.getByLabelText(/^Replica host/)).toHaveValue('standby');
    expect(screen.getByLabelText(/^Replica port/)).toHaveValue(5433);
  });

  it('stores the replica host and port, the port defaulting to the primary one', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ port: 6432, replicaHost: 's' })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByLabelText(/^Replica port/)).toHaveAttribute('placeholder', '6432');

    fireEvent.change(screen.getByLabelText(/^Replica host/), { target: { value: 'standby.db' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { port: 6432, replicaHost: 'standby.db' } })
    );
    fireEvent.change(screen.getByLabelText(/^Replica port/), { target: { value: '5433' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { port: 6432, replicaHost: 's', replicaPort: 5433 } })
    );
  });

  it('flags a replica port without a host, a bad port, and the primary given as its own replica', () => {
    const { rerender } = render(<ConfigEditor options={settings({ replicaPort: 5433 })} onOptionsChange={jest.fn()} />);
    expect(screen.getByText('Enter the replica host, or clear the replica port')).toBeInTheDocument();

    rerender(
      <ConfigEditor options={settings({ replicaHost: 'standby', replicaPort: 70000 })} onOptionsChange={jest.fn()} />
    );
    expect(
      screen.getByText("Use a port between 1 and 65535, or leave it empty for the primary's port")
    ).toBeInTheDocument();

    rerender(<ConfigEditor options={settings({ host: 'db', replicaHost: 'DB ' })} onOptionsChange={jest.fn()} />);
    expect(
      screen.getByText("This is the primary's address: enter a streaming replica's host and port")
    ).toBeInTheDocument();

    rerender(
      <ConfigEditor
        options={settings({ host: 'db', replicaHost: 'db', replicaPort: 5433 })}
        onOptionsChange={jest.fn()}
      />
    );
    expect(screen.queryByText(/primary's address/)).not.toBeInTheDocument();
  });

  it('resets a configured password', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({}, { password: true })} onOptionsChange={onOptionsChange} />);

    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));

    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({
        secureJsonFields: { password: false },
        secureJsonData: { password: '' },
      })
    );
  });
});
