// Node's flags as the systemd unit (exporters/tokenwatt/systemd/tokenwatt.service) and the container
// (Dockerfile) run the exporter; the benches run it the same way. The old generation capped: uncapped,
// V8 grows the heap under heavy scraping instead of collecting. The young generation's semi-space
// capped at 4 MB: the serving thread allocates little that lives (reads run on the scrape worker), and
// V8's default 16 MB semi-spaces grew the serving thread's heap by ~25 MB and RSS by ~60 MB in the soak.
export const UNIT_NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=4'];
