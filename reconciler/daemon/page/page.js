// The daemon's status page: a read-only view of /status, kept current by the server-sent
// events of /events (or by polling /status where EventSource is missing). No framework and no
// build step; every value from the daemon is written with textContent or setAttribute, never
// parsed as HTML. The selected stack lives in the address bar (#stack=NAME).

const layers = [
  ['network', 'Network'],
  ['load balancer', 'Load balancer'],
  ['compute', 'Compute'],
  ['database', 'Database'],
  ['logs', 'Logs'],
  ['monitoring', 'Monitoring'],
];
const pollMs = 2000;
const clockMs = 10_000;
const shownAddresses = 8;

const $ = (id) => document.getElementById(id);
const state = {
  status: null,
  selected: readSelection(),
  /** collapsed holds `stack/layer` keys of the layers the reader folded. */
  collapsed: new Set(),
};

function readSelection() {
  const match = /^#stack=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** el builds an element; attributes go through setAttribute, children become text nodes. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const size = Math.abs(seconds);
  let text;
  if (size < 5) return future ? 'now' : 'just now';
  if (size < 60) text = `${size} s`;
  else if (size < 3600) text = `${Math.round(size / 60)} min`;
  else if (size < 172_800) text = `${Math.round(size / 3600)} h`;
  else text = `${Math.round(size / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

function time(iso) {
  if (!iso) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: iso, title: iso, 'data-ago': iso }, ago(iso));
}

function shortRevision(revision) {
  if (!revision) return '—';
  if (revision.startsWith('sha256:')) return revision.slice(0, 15);
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 8) : revision;
}

function revision(value) {
  return el('code', { class: 'revision', title: value ?? '' }, shortRevision(value));
}

function condition(stack, type) {
  return stack.conditions.find((candidate) => candidate.type === type);
}

const conditionLabels = {
  Ready: { True: 'Ready', False: 'Not ready', Unknown: 'Not observed' },
  Synced: { True: 'Synced', False: 'Out of sync', Unknown: 'Sync unknown' },
  Drifted: { True: 'Drifted', False: 'No drift', Unknown: 'Drift unknown' },
};

function conditionTone(type, status, reason) {
  if (status === 'Unknown') return 'muted';
  if (type === 'Drifted') return status === 'True' ? 'warn' : 'ok';
  if (status === 'True') return 'ok';
  return reason === 'Pending' || reason === 'Paused' || reason === 'ObserveOnly' ? 'warn' : 'bad';
}

function conditionPills(stack, replica) {
  const pills = ['Ready', 'Synced', 'Drifted'].map((type) => {
    const found = condition(stack, type);
    if (!found) return null;
    let label = conditionLabels[type][found.status] ?? type;
    if (type === 'Ready' && found.reason === 'Pending') label = 'Pending';
    return el(
      'span',
      {
        class: `pill ${conditionTone(type, found.status, found.reason)}`,
        'data-condition': type,
        'data-status': found.status,
        title: `${type}=${found.status} (${found.reason}): ${found.message}`,
      },
      label,
    );
  });
  if (stack.paused) {
    pills.push(el('span', { class: 'pill warn', 'data-condition': 'Paused' }, 'Paused'));
  } else if (replica?.observeOnly) {
    pills.push(el('span', { class: 'pill warn', 'data-condition': 'Paused' }, 'Observe only'));
  }
  return el('span', { class: 'pills' }, pills);
}

function selectedStack(status) {
  const stacks = status?.stacks ?? [];
  return stacks.find((stack) => stack.name === state.selected) ?? stacks[0];
}

function renderReplica(status) {
  const replica = status.replica;
  const source = status.source;
  const parts = [
    `replica ${replica.id}`,
    replica.shared
      ? `holds ${replica.shared.holds.length} stacks, ${replica.shared.replicas.length} live replicas`
      : replica.leader
        ? 'leader'
        : 'standby',
    replica.observeOnly ? 'observe-only' : null,
    source
      ? `${source.description}${source.ok === false ? ` (failing: ${source.message})` : ''}`
      : null,
  ];
  $('replica').textContent = parts.filter(Boolean).join(' · ');
}

function renderStackList(status) {
  const current = selectedStack(status);
  $('stack-count').textContent = `(${status.stacks.length})`;
  const items = status.stacks.map((stack) => {
    const error = stack.lastError
      ? el(
          'span',
          { class: 'stack-error', title: stack.lastError.message },
          stack.lastError.message,
        )
      : null;
    return el(
      'li',
      {},
      el(
        'a',
        {
          class: stack.current === false ? 'stack-link stale' : 'stack-link',
          href: `#stack=${encodeURIComponent(stack.name)}`,
          'data-stack': stack.name,
          'data-key': `stack:${stack.name}`,
          'aria-current': stack === current ? 'page' : undefined,
        },
        el('strong', { class: 'stack-name' }, stack.name),
        conditionPills(stack, status.replica),
        el(
          'span',
          { class: 'stack-meta muted' },
          'live ',
          revision(stack.lastAppliedRevision),
          stack.lastAppliedAt ? [' · applied ', time(stack.lastAppliedAt)] : ' · never applied',
          stack.owner === undefined
            ? null
            : el(
                'span',
                { 'data-owner': stack.owner?.holder ?? '' },
                ` · ${stack.owner ? `held by ${stack.owner.holder}` : 'not held'}`,
              ),
          stack.current === false
            ? el(
                'span',
                { class: 'not-current', 'data-not-current': '' },
                stack.owner
                  ? ` · this replica's last view; current on ${stack.owner.holder}`
                  : " · this replica's last view",
              )
            : null,
        ),
        error,
      ),
    );
  });
  $('stacks').replaceChildren(...items);
}

function fact(term, ...value) {
  return [el('dt', {}, term), el('dd', {}, ...value)];
}

const resultLabels = {
  success: 'synced',
  pending: 'synced, resources pending',
  observed: 'planned only',
  error: 'failed, retrying',
  terminal: 'failed, not retried',
  'invalid-spec': 'invalid spec',
  aborted: 'interrupted',
};

function renderFacts(stack) {
  const last = stack.lastReconcile;
  return el(
    'dl',
    { class: 'facts' },
    fact('Desired revision', revision(stack.revision)),
    fact(
      'Live revision',
      revision(stack.lastAppliedRevision),
      stack.lastAppliedAt ? [' applied ', time(stack.lastAppliedAt)] : null,
    ),
    fact(
      'Last run',
      last
        ? [
            resultLabels[last.result] ?? last.result,
            ' ',
            time(last.startedAt),
            ` (${seconds(last.durationMs)})`,
          ]
        : 'not yet',
    ),
    fact('Next run', time(stack.nextRunAt)),
    fact('Spec', el('code', {}, stack.file), stack.region ? ` in ${stack.region}` : null),
    stack.owner === undefined
      ? null
      : fact(
          'Held by',
          el(
            'span',
            { 'data-held-by': stack.owner?.holder ?? '' },
            stack.owner ? stack.owner.holder : 'nobody',
            stack.current === false ? " (what this page shows is this replica's last view)" : '',
          ),
        ),
  );
}

function seconds(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function safeUrl(value) {
  return /^https?:\/\//.test(value) ? value : undefined;
}

function renderOutputs(stack) {
  const outputs = stack.outputs ?? {};
  const rows = [];
  if (outputs.loadBalancerUrl) {
    const href = safeUrl(outputs.loadBalancerUrl);
    rows.push(
      fact(
        'Load balancer URL',
        href
          ? el(
              'a',
              {
                href,
                rel: 'noreferrer',
                'data-output': 'loadBalancerUrl',
                'data-key': 'output:lb',
              },
              href,
            )
          : outputs.loadBalancerUrl,
      ),
    );
  }
  if (outputs.databaseEndpoint) {
    rows.push(
      fact(
        'Database endpoint',
        el('code', { 'data-output': 'databaseEndpoint' }, outputs.databaseEndpoint),
      ),
    );
  }
  if (rows.length === 0) return null;
  return section('outputs', 'Outputs', el('dl', { class: 'facts' }, rows));
}

function section(id, title, ...content) {
  return el(
    'section',
    { class: 'block', id, 'aria-labelledby': `${id}-title` },
    el('h3', { id: `${id}-title` }, title),
    content,
  );
}

function renderError(stack) {
  const error = stack.lastError;
  if (!error && stack.specErrors.length === 0) return null;
  const failures = error?.failures ?? [];
  return section(
    'error',
    'Last error',
    error
      ? el(
          'p',
          { class: 'error-message' },
          error.message,
          ' ',
          el(
            'span',
            { class: 'muted' },
            '(',
            time(error.at),
            error.terminal ? ', not retried before the next resync' : ', retrying with backoff',
            ')',
          ),
        )
      : null,
    failures.length > 0
      ? el(
          'ul',
          { class: 'failures' },
          failures.map((failure) =>
            el(
              'li',
              {},
              el('code', {}, failure.address),
              ` ${failure.operation}`,
              failure.code ? [' ', el('code', {}, failure.code)] : null,
              ` (${failure.disposition})`,
            ),
          ),
        )
      : null,
    stack.specErrors.length > 0
      ? el(
          'ul',
          { class: 'failures' },
          stack.specErrors.map((text) => el('li', {}, el('code', {}, text))),
        )
      : null,
  );
}

function driftList(items) {
  return el(
    'ul',
    { class: 'drift' },
    items.map((item) =>
      el(
        'li',
        { 'data-drift-address': item.address },
        el('code', {}, item.address),
        item.fields.length === 0
          ? ` (${item.action === 'create' ? 'gone: recreated' : item.action})`
          : null,
        item.fields.length > 0
          ? el(
              'ul',
              { class: 'fields' },
              item.fields.map((field) => el('li', {}, el('code', {}, field))),
            )
          : null,
      ),
    ),
  );
}

function renderDrift(stack) {
  if (!stack.drift || stack.drift.length === 0) return null;
  const corrected = !stack.paused && condition(stack, 'Synced')?.status === 'True';
  return section(
    'drift',
    'Drift',
    el(
      'p',
      {},
      corrected
        ? 'The last run found these changed outside the reconciler, and set them back:'
        : 'Changed outside the reconciler, not corrected:',
    ),
    driftList(stack.drift),
  );
}

function planLine(line) {
  const trimmed = line.trimStart();
  let tone = '';
  if (trimmed.startsWith('-/+')) tone = 'replace';
  else if (trimmed.startsWith('+')) tone = 'add';
  else if (trimmed.startsWith('~')) tone = 'change';
  else if (trimmed.startsWith('-')) tone = 'remove';
  else if (trimmed.startsWith('#')) tone = 'comment';
  return el('span', { class: tone ? `line line-${tone}` : 'line' }, line, '\n');
}

function renderPlan(stack) {
  if (!stack.plan) return null;
  const lines = stack.plan.text.replace(/\n$/, '').split('\n');
  return section(
    'plan',
    'Plan not yet applied',
    el('pre', { class: 'plan', tabindex: 0 }, lines.map(planLine)),
  );
}

function statusCounts(resources) {
  const counts = new Map();
  for (const resource of resources)
    counts.set(resource.status, (counts.get(resource.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

function changeText(change) {
  const verb =
    { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted' }[
      change.action
    ] ?? change.action;
  return [
    `${verb} `,
    time(change.at),
    change.drift ? ' (drift corrected)' : ` at ${shortRevision(change.revision)}`,
  ];
}

function resourceRow(resource, layerOfAddress) {
  const elsewhere = resource.dependsOn.filter(
    (address) => layerOfAddress.get(address) !== resource.layer,
  );
  return el(
    'div',
    { class: 'row' },
    el('span', { class: `pill status ${resource.status.replace(' ', '-')}` }, resource.status),
    el('span', { class: 'address' }, resource.address),
    resource.planned
      ? el('span', { class: `pill planned ${resource.planned}` }, `to ${resource.planned}`)
      : null,
    el('span', { class: 'kind muted' }, resource.kind),
    el('code', { class: 'id', title: resource.id ?? '' }, resource.id ?? '—'),
    el(
      'span',
      { class: 'change muted' },
      resource.lastChange ? changeText(resource.lastChange) : 'no change by this daemon',
    ),
    elsewhere.length > 0
      ? el('span', { class: 'needs muted' }, `needs ${elsewhere.join(', ')}`)
      : null,
    resource.drifted
      ? el('span', { class: 'drifted' }, 'drifted: ', resource.drifted.join('; '))
      : null,
  );
}

function renderTree(stack) {
  const resources = stack.resources ?? [];
  const layerOfAddress = new Map(resources.map((resource) => [resource.address, resource.layer]));
  const children = new Map();
  for (const resource of resources) {
    const key =
      resource.parent && layerOfAddress.get(resource.parent) === resource.layer
        ? resource.parent
        : `layer:${resource.layer}`;
    children.set(key, [...(children.get(key) ?? []), resource]);
  }
  const branch = (key) => {
    const nodes = children.get(key) ?? [];
    if (nodes.length === 0) return null;
    return el(
      'ul',
      { class: 'tree' },
      nodes.map((resource) =>
        el(
          'li',
          { 'data-address': resource.address, 'data-status': resource.status },
          resourceRow(resource, layerOfAddress),
          branch(resource.address),
        ),
      ),
    );
  };
  const groups = layers
    .filter(([layer]) => resources.some((resource) => resource.layer === layer))
    .map(([layer, title]) => {
      const inLayer = resources.filter((resource) => resource.layer === layer);
      const key = `${stack.name}/${layer}`;
      const details = el(
        'details',
        { class: 'layer', 'data-layer': layer, open: !state.collapsed.has(key) },
        el(
          'summary',
          { 'data-key': `layer:${key}` },
          el('span', { class: 'layer-title' }, title),
          el('span', { class: 'muted' }, ` ${inLayer.length} · ${statusCounts(inLayer)}`),
        ),
        branch(`layer:${layer}`),
      );
      details.addEventListener('toggle', () => {
        if (details.open) state.collapsed.delete(key);
        else state.collapsed.add(key);
      });
      return details;
    });
  const summary =
    resources.length === 0
      ? el('p', { class: 'muted' }, 'Not observed yet.')
      : el(
          'p',
          { class: 'muted' },
          `${resources.length} resources: ${statusCounts(resources)}. Observed `,
          time(stack.observedAt),
          '.',
        );
  return section('resources', 'Resources', summary, groups);
}

function addressList(verb, addresses) {
  if (addresses.length === 0) return null;
  const shown = addresses.slice(0, shownAddresses).join(', ');
  const more =
    addresses.length > shownAddresses ? ` and ${addresses.length - shownAddresses} more` : '';
  return el(
    'li',
    {},
    `${verb} ${addresses.length}: `,
    el('span', { class: 'addresses' }, `${shown}${more}`),
  );
}

function historyTitle(entry) {
  if (entry.drift.length > 0) {
    return entry.result === 'observed' ? 'drift found (not corrected)' : 'drift corrected';
  }
  return resultLabels[entry.result] ?? entry.result;
}

function renderHistory(stack) {
  const history = stack.history ?? [];
  if (history.length === 0)
    return section('history', 'History', el('p', { class: 'muted' }, 'No runs yet.'));
  return section(
    'history',
    'History',
    el(
      'ol',
      { class: 'history' },
      history.map((entry) =>
        el(
          'li',
          {
            class: 'history-entry',
            'data-result': entry.result,
            'data-drift': entry.drift.length > 0 ? 'true' : undefined,
          },
          el(
            'div',
            { class: 'history-head' },
            time(entry.at),
            el('strong', {}, historyTitle(entry)),
            el(
              'span',
              { class: 'muted' },
              'at ',
              revision(entry.revision),
              ` · ${seconds(entry.durationMs)}`,
            ),
            entry.repeats > 0
              ? el(
                  'span',
                  { class: 'muted' },
                  `· and ${entry.repeats} more like it, the last `,
                  time(entry.lastAt),
                )
              : null,
          ),
          el(
            'ul',
            { class: 'history-body' },
            addressList('created', entry.created),
            addressList('updated', entry.updated),
            addressList('replaced', entry.replaced),
            addressList('deleted', entry.deleted),
            entry.pending.length > 0 ? addressList('pending', entry.pending) : null,
            entry.message ? el('li', { class: 'error-message' }, entry.message) : null,
          ),
          entry.drift.length > 0 ? driftList(entry.drift) : null,
        ),
      ),
    ),
  );
}

function renderDetail(status) {
  const stack = selectedStack(status);
  const detail = $('detail');
  if (!stack) {
    detail.replaceChildren(
      el('p', { class: 'muted' }, 'No stacks: the daemon found no spec files.'),
    );
    return;
  }
  const parts = [
    el('h2', { 'data-stack-title': stack.name }, stack.name),
    conditionPills(stack, status.replica),
    el(
      'ul',
      { class: 'messages muted' },
      stack.conditions.map((found) =>
        el(
          'li',
          {},
          `${found.type}: ${found.message} (since `,
          time(found.lastTransitionTime),
          ')',
        ),
      ),
    ),
    renderFacts(stack),
    renderOutputs(stack),
    renderError(stack),
    renderDrift(stack),
    renderPlan(stack),
    renderTree(stack),
    renderHistory(stack),
  ];
  detail.replaceChildren(...parts.filter(Boolean));
}

function render() {
  const status = state.status;
  if (!status) return;
  const focusedKey = document.activeElement?.getAttribute('data-key');
  renderReplica(status);
  renderStackList(status);
  renderDetail(status);
  document.title = `Reconciler: ${status.stacks.length} stacks`;
  if (focusedKey) document.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
}

function setConnection(connection, text) {
  const line = $('connection');
  line.dataset.state = connection;
  line.textContent = text;
}

function update(status) {
  state.status = status;
  setConnection('live', `live · updated ${new Date().toLocaleTimeString()}`);
  render();
}

function refreshTimes() {
  for (const node of document.querySelectorAll('[data-ago]'))
    node.textContent = ago(node.getAttribute('data-ago'));
}

async function poll() {
  try {
    const response = await fetch('status', { cache: 'no-store' });
    if (response.ok) update(await response.json());
    else setConnection('reconnecting', `status answered ${response.status}; retrying`);
  } catch {
    setConnection('reconnecting', 'daemon unreachable; retrying');
  }
  setTimeout(poll, pollMs);
}

function connect() {
  if (!('EventSource' in window)) {
    poll();
    return;
  }
  const source = new EventSource('events');
  source.addEventListener('status', (event) => update(JSON.parse(event.data)));
  source.addEventListener('error', () =>
    setConnection('reconnecting', 'connection lost; reconnecting…'),
  );
}

function moveSelection(step) {
  const stacks = state.status?.stacks ?? [];
  if (stacks.length === 0) return;
  const at = stacks.indexOf(selectedStack(state.status));
  const next = stacks[(at + step + stacks.length) % stacks.length];
  location.hash = `stack=${encodeURIComponent(next.name)}`;
  document.querySelector(`[data-key="${CSS.escape(`stack:${next.name}`)}"]`)?.focus();
}

window.addEventListener('hashchange', () => {
  state.selected = readSelection();
  render();
});
document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === 'j') moveSelection(1);
  else if (event.key === 'k') moveSelection(-1);
});
setInterval(refreshTimes, clockMs);
connect();
