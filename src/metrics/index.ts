// metrics: berthd's Prometheus endpoint (--metrics-addr): engine and per-container metrics in
// the text exposition format. Vocabulary: figures (what a scrape reads of a container).
export { EngineMetrics, loadEngineMetrics, type ContainerFigures } from './engine-metrics.ts';
export { MetricsServer, parseMetricsAddr } from './metrics-server.ts';
