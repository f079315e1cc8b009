// The K2 web console: feeds, candles and pipeline state, drawn from this listener's /v1 API.
'use strict';

(() => {
  const KEY_STORAGE = 'k2.apiKey';
  const FEEDS_EVERY_MS = 2000;
  const CANDLES_EVERY_MS = 2000;
  const PIPELINE_EVERY_MS = 5000;

  const $ = (id) => document.getElementById(id);

  /** A request the API refused for want of a key: the key form is showing, polling waits for it. */
  class KeyNeeded extends Error {}

  let keyRequired = false;

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) {
      headers['X-API-Key'] = key;
    } else if (keyRequired) {
      askForKey();
      throw new KeyNeeded();
    }
    const response = await fetch(path, { headers });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      askForKey('That key was refused; enter a configured API key.');
      throw new KeyNeeded();
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      throw new Error(problem?.detail ?? `${path}: HTTP ${response.status}`);
    }
    return response.json();
  }

  function askForKey(message) {
    const form = $('key-form');
    if (message) { form.querySelector('label').textContent = message; }
    form.hidden = false;
    $('forget-key').hidden = true;
    $('key-input').focus();
  }

  function showProblem(error) {
    if (error instanceof KeyNeeded) { return; }
    $('problem').textContent = error.message;
  }

  function clearProblem() {
    $('problem').textContent = '';
  }

  /** Runs task now and every periodMs after the previous run ended; a failure shows in the header and the next run tries again. */
  function every(periodMs, task) {
    const run = async () => {
      try {
        await task();
      } catch (error) {
        showProblem(error);
      }
      setTimeout(run, periodMs);
    };
    run();
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) { td.className = className; }
    return td;
  }

  function number(value, digits) {
    return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // ---- Feeds ----

  const SVG = 'http://www.w3.org/2000/svg';

  function sparkline(rates) {
    const width = 120;
    const height = 22;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    if (rates.length > 0) {
      const top = Math.max(...rates, 1e-9);
      const step = rates.length > 1 ? width / (rates.length - 1) : width;
      const points = rates.map((rate, i) => `${(i * step).toFixed(1)},${(height - 1 - (rate / top) * (height - 2)).toFixed(1)}`);
      if (rates.length === 1) { points.push(`${width},${points[0].split(',')[1]}`); }
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', points.join(' '));
      svg.appendChild(line);
    }
    return svg;
  }

  async function refreshFeeds() {
    const feeds = await api('/v1/feeds');
    $('feeds-note').hidden = feeds.ingesting;
    const rows = feeds.data.map((feed) => {
      const tr = document.createElement('tr');
      tr.dataset.exchange = feed.exchange;
      tr.dataset.symbol = feed.symbol;
      tr.dataset.canonical = feed.canonical_symbol;
      tr.dataset.rate = String(feed.trades_per_second);
      tr.append(
        cell(feed.exchange),
        cell(feed.symbol),
        cell(feed.canonical_symbol),
        cell(feed.connected ? 'yes' : 'no', `state ${feed.connected ? 'on' : 'off'}`),
        cell(number(feed.trades_per_second, 1), 'num rate'),
      );
      const spark = document.createElement('td');
      spark.appendChild(sparkline(feed.rate_history));
      tr.appendChild(spark);
      tr.append(
        cell(feed.last_trade_age_seconds === null ? 'never' : `${number(feed.last_trade_age_seconds, 1)} s ago`, 'num'),
        cell(String(feed.gaps_open), feed.gaps_open > 0 ? 'num bad' : 'num'),
        cell(String(feed.gaps_filled), 'num'),
        cell(String(feed.gaps_absent), 'num'),
        cell(String(feed.gaps_lost), feed.gaps_lost > 0 ? 'num bad' : 'num'),
      );
      return tr;
    });
    $('feeds').tBodies[0].replaceChildren(...rows);
    $('clock').textContent = `updated ${feeds.generated_at.replace('T', ' ').slice(0, 19)} UTC`;
  }

  // ---- Candles ----

  const chart = {
    api: null,
    candles: null,
    volume: null,
    selection: null,
    lastWindowUs: null,
    lastClose: null,
    generation: 0,
  };

  function createChart() {
    const charts = window.LightweightCharts;
    chart.api = charts.createChart($('chart'), {
      autoSize: true,
      layout: { background: { color: '#171a21' }, textColor: '#d1d4dc' },
      grid: { vertLines: { color: '#222733' }, horzLines: { color: '#222733' } },
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#2a2f3a' },
      rightPriceScale: { borderColor: '#2a2f3a' },
    });
    chart.candles = chart.api.addSeries(charts.CandlestickSeries, {
      upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
    });
    chart.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
    chart.volume = chart.api.addSeries(charts.HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume' });
    chart.volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
  }

  /** Digits after the point in a decimal string, for the price scale (meme coins need many). */
  function decimalsOf(text) {
    const point = text.indexOf('.');
    return point < 0 ? 0 : text.length - point - 1;
  }

  function toBars(rows) {
    return {
      candles: rows.map((row) => ({
        time: row.window_start_us / 1e6,
        open: Number(row.open),
        high: Number(row.high),
        low: Number(row.low),
        close: Number(row.close),
      })),
      volumes: rows.map((row) => ({
        time: row.window_start_us / 1e6,
        value: Number(row.volume),
        color: Number(row.close) >= Number(row.open) ? 'rgba(38,166,154,0.5)' : 'rgba(239,83,80,0.5)',
      })),
    };
  }

  function candlesPath(selection, fromUs) {
    const query = new URLSearchParams({ interval: selection.interval, symbol: selection.symbol, exchange: selection.exchange });
    if (fromUs !== null) { query.set('from', String(fromUs)); }
    return `/v1/candles?${query}`;
  }

  /** What the chart shows, on its element: read by people's tools and by the console's own test. */
  function recordDrawn() {
    const element = $('chart');
    element.dataset.candles = String(chart.candles.data().length);
    element.dataset.lastClose = chart.lastClose ?? '';
    element.dataset.lastWindowUs = chart.lastWindowUs === null ? '' : String(chart.lastWindowUs);
    const selection = chart.selection;
    element.dataset.exchange = selection.exchange;
    element.dataset.symbol = selection.symbol;
    element.dataset.interval = selection.interval;
    $('chart-legend').textContent = chart.lastClose === null
      ? `${selection.exchange} ${selection.symbol} ${selection.interval}: no candles yet`
      : `${selection.exchange} ${selection.symbol} ${selection.interval} · last close ${chart.lastClose}`;
  }

  function remember(rows) {
    if (rows.length === 0) { return; }
    const last = rows[rows.length - 1];
    chart.lastWindowUs = last.window_start_us;
    chart.lastClose = last.close;
    const precision = Math.min(12, Math.max(2, ...rows.map((row) => decimalsOf(row.close))));
    chart.candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
  }

  async function loadCandles() {
    const generation = ++chart.generation;
    const selection = { exchange: $('exchange').value, symbol: $('symbol').value, interval: $('interval').value };
    chart.selection = selection;
    chart.lastWindowUs = null;
    chart.lastClose = null;
    location.hash = new URLSearchParams(selection).toString();
    const answer = await api(candlesPath(selection, null));
    if (generation !== chart.generation) { return; }
    const bars = toBars(answer.data);
    chart.candles.setData(bars.candles);
    chart.volume.setData(bars.volumes);
    remember(answer.data);
    chart.api.timeScale().fitContent();
    recordDrawn();
  }

  /** Re-reads the windows from the last one drawn on: the last candle moves as trades arrive, new windows are appended. */
  async function updateCandles() {
    if (chart.selection === null || chart.lastWindowUs === null) {
      if (chart.selection !== null) { await loadCandles(); }
      return;
    }
    const generation = chart.generation;
    const answer = await api(candlesPath(chart.selection, chart.lastWindowUs));
    if (generation !== chart.generation || answer.data.length === 0) { return; }
    const bars = toBars(answer.data);
    bars.candles.forEach((bar) => chart.candles.update(bar));
    bars.volumes.forEach((bar) => chart.volume.update(bar));
    remember(answer.data);
    recordDrawn();
  }

  function option(value) {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = value;
    return element;
  }

  async function loadInstruments() {
    const exchanges = (await api('/v1/exchanges')).data;
    const wanted = new URLSearchParams(location.hash.slice(1));
    const exchangeSelect = $('exchange');
    exchangeSelect.replaceChildren(...exchanges.map((e) => option(e.exchange)));
    if (exchanges.some((e) => e.exchange === wanted.get('exchange'))) { exchangeSelect.value = wanted.get('exchange'); }
    const fillSymbols = (preferred) => {
      const symbols = exchanges.find((e) => e.exchange === exchangeSelect.value)?.canonical_symbols ?? [];
      $('symbol').replaceChildren(...symbols.map(option));
      const pick = symbols.includes(preferred) ? preferred : symbols.find((s) => s.startsWith('BTC/')) ?? symbols[0];
      if (pick) { $('symbol').value = pick; }
    };
    fillSymbols(wanted.get('symbol'));
    if ([...$('interval').options].some((o) => o.value === wanted.get('interval'))) { $('interval').value = wanted.get('interval'); }
    exchangeSelect.onchange = () => { fillSymbols($('symbol').value); loadCandles().catch(showProblem); };
    if (exchanges.length > 0) { await loadCandles(); }
  }

  // ---- Pipeline ----

  function table(section) {
    const element = document.createElement('table');
    const head = element.createTHead().insertRow();
    section.columns.forEach((column) => {
      const th = document.createElement('th');
      th.textContent = column;
      head.appendChild(th);
    });
    const body = element.createTBody();
    section.rows.forEach((row) => {
      const tr = body.insertRow();
      row.forEach((text) => tr.appendChild(cell(text)));
    });
    return element;
  }

  async function refreshPipeline() {
    const pipeline = await api('/v1/pipeline');
    const parts = pipeline.sections.flatMap((section) => {
      const title = document.createElement('h3');
      title.textContent = section.title;
      const body = section.rows.length === 0 ? [Object.assign(document.createElement('p'), { className: 'muted', textContent: 'nothing yet' })] : [table(section)];
      const notes = section.notes.map((note) => Object.assign(document.createElement('p'), { className: 'muted', textContent: note }));
      const wrapper = document.createElement('div');
      wrapper.className = 'pipeline-section';
      wrapper.dataset.title = section.title;
      wrapper.append(title, ...body, ...notes);
      return [wrapper];
    });
    $('pipeline').replaceChildren(...parts);
  }

  // ---- Start ----

  let started = false;

  async function start() {
    $('key-form').hidden = true;
    $('forget-key').hidden = !keyRequired;
    if (started) { return; }
    started = true;
    createChart();
    $('symbol').addEventListener('change', () => loadCandles().catch(showProblem));
    $('interval').addEventListener('change', () => loadCandles().catch(showProblem));
    every(FEEDS_EVERY_MS, async () => { await refreshFeeds(); clearProblem(); });
    every(PIPELINE_EVERY_MS, refreshPipeline);
    try {
      await loadInstruments();
    } catch (error) {
      showProblem(error);
    }
    setTimeout(() => every(CANDLES_EVERY_MS, updateCandles), CANDLES_EVERY_MS);
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, $('key-input').value.trim());
    $('key-input').value = '';
    if (started) {
      $('key-form').hidden = true;
      $('forget-key').hidden = false;
      loadInstruments().catch(showProblem);
    } else {
      start();
    }
  });

  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    location.reload();
  });

  fetch('/console/settings.json', { headers: { Accept: 'application/json' } })
    .then((response) => response.json())
    .then((settings) => {
      keyRequired = settings.api_key_required;
      if (keyRequired && !sessionStorage.getItem(KEY_STORAGE)) {
        askForKey();
      } else {
        start();
      }
    })
    .catch(showProblem);
})();
