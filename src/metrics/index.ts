/** Prometheus metrics, health endpoints and the numbers the stats event is made of. */
export { Counter, Gauge, Registry, CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue, type Labels, type MetricType } from './registry.js';
export { startMetricsServer, MetricsListenError, type HealthStatus, type MetricsServer } from './server.js';
export { applySnapshot, collectSensorMetrics, METRICS, registerSensorMetrics, type MetricDef } from './collect.js';
export { EventCounter } from './event-counter.js';
export { captureDrops, lossPercent, takeSnapshot, type CaptureCounters, type EventTotals, type MetricsSources, type SensorLike, type SinkCounters, type Snapshot } from './sources.js';
export { formatListen, parseListen, type ListenAddress } from './listen.js';
export { probe, probeTarget, DEFAULT_PROBE_LISTEN } from './probe.js';
