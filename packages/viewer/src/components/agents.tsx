import './agents.css';
import type { AgentHold, AgentSummary } from '../api';
import { useAgents } from '../hooks/use-agents';
import { Empty, StatusIcon, Time } from './bits';
import { leaseLeft } from './board-card';
import { describe } from './timeline';

interface Props {
  selectedId?: string;
  onOpen(id: string): void;
}

/** Who is doing what: one card per agent, those holding work first (the server's order). */
export function Agents({ selectedId, onOpen }: Props) {
  const { data, error, now } = useAgents();
  if (error && !data) return <div class="agents-message">Could not load the agents: {error}</div>;
  if (!data) return <div class="agents-message">Loading…</div>;
  if (!data.agents.length) {
    return (
      <div class="agents">
        <Empty title="No agents yet">Agents appear here once they claim an item or change something.</Empty>
      </div>
    );
  }
  return (
    <div class="agents">
      <ul class="agents-grid" aria-label="Agents">
        {data.agents.map((agent) => (
          <AgentCard key={agent.name} agent={agent} now={now} selectedId={selectedId} onOpen={onOpen} />
        ))}
      </ul>
    </div>
  );
}

interface CardProps {
  agent: AgentSummary;
  now: number;
  selectedId?: string;
  onOpen(id: string): void;
}

function AgentCard({ agent, now, selectedId, onOpen }: CardProps) {
  return (
    <li class="agent" data-agent={agent.name}>
      <header class="agent-head">
        <span class="agent-name">{agent.name}</span>
        {agent.sessions.length ? (
          <span class="agent-sessions" title="Sessions holding claims">
            {agent.sessions.map((s) => `#${s}`).join(' ')}
          </span>
        ) : null}
        <span class="agent-counts" title="Journal entries today and in the last 7 days">
          <b data-count="today">{agent.today}</b> today · <b data-count="week">{agent.week}</b> week
        </span>
      </header>
      <Holds label="Holding" kind="holding" holds={agent.holding} now={now} selectedId={selectedId} onOpen={onOpen} />
      <Holds
        label="Lease lapsed"
        kind="lapsed"
        holds={agent.lapsed}
        now={now}
        selectedId={selectedId}
        onOpen={onOpen}
      />
      {!agent.holding.length && !agent.lapsed.length ? <p class="agent-idle">Holds nothing.</p> : null}
      {agent.recent.length ? (
        <ol class="agent-recent" aria-label={`Last actions of ${agent.name}`}>
          {agent.recent.map((entry) => {
            const { verb, detail } = describe(entry);
            return (
              <li key={`${entry.at}-${entry.id ?? entry.uri}`}>
                <Time iso={entry.at} /> {verb}{' '}
                {entry.id ? (
                  <button type="button" class="agent-link" onClick={() => onOpen(entry.id as string)}>
                    {entry.id}
                  </button>
                ) : (
                  entry.uri
                )}
                {detail ? <span class="agent-detail"> {detail}</span> : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </li>
  );
}

interface HoldsProps {
  label: string;
  kind: 'holding' | 'lapsed';
  holds: AgentHold[];
  now: number;
  selectedId?: string;
  onOpen(id: string): void;
}

/** The items an agent holds (or held until its lease ran out); each opens the item. */
function Holds({ label, kind, holds, now, selectedId, onOpen }: HoldsProps) {
  if (!holds.length) return null;
  return (
    <section class={`agent-holds ${kind}`} aria-label={`${label}`}>
      <h3>
        {kind === 'lapsed' ? '⚠ ' : ''}
        {label}
      </h3>
      <ul>
        {holds.map((hold) => (
          <li key={hold.id}>
            <button
              type="button"
              class="agent-item"
              data-id={hold.id}
              data-kind={kind}
              aria-pressed={selectedId === hold.id}
              onClick={() => onOpen(hold.id)}
            >
              <StatusIcon status={hold.status} />
              <span class="agent-item-id">{hold.id}</span>
              <span class="agent-item-title">{hold.title}</span>
              <span class="agent-lease" title={hold.lease_until}>
                {kind === 'lapsed' ? 'lease expired' : leaseLeft(hold.lease_until, now)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
