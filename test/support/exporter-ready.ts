// Poll an exporter started by a test until it is ready and its /metrics shows a GPU that has counted
// joules (one collection cycle after start), up to 20 s. Returns the last body read ('' if never ready).
export async function waitForJoules(port: number): Promise<string> {
  let body = '';
  for (let i = 0; i < 100 && !/tokenwatt_gpu_energy_joules_total\{[^}]*\} [1-9]/.test(body); i++) {
    await new Promise((r) => setTimeout(r, 200));
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (ready === 200) body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  }
  return body;
}
