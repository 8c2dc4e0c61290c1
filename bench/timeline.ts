/**
 * The pipeline as a timeline (issue 20): one snapshot of 8 pages at the engine's default concurrency,
 * against the pipeline's fake API (same latency) and s3rver, with every API request and S3 call
 * timed inside the worker (`trace` in pipelineChild.ts). What it shows: the HEAD runs beside the
 * first pages, and after the last page's body only that page's formatting, the hash's end and the
 * PUT remain. Three traced runs after a warm-up; the one of median wall time is drawn.
 */
import { startFakeCoingecko } from "../test/helpers/fakeCoingecko";
import { startS3Server } from "../test/helpers/s3Server";
import { PER_PAGE, progress, startWorker } from "./common";
import { LATENCY_MS } from "./pipeline";
import { svgDocument } from "./report";
// Types only: importing a value would run the child's main() in this process.
import type { PipelineRunResult, PipelineWorkerReady, TraceEvent } from "./pipelineChild";

const BUCKET = "bench-timeline";
export const TIMELINE_PAGES = 8;
const TRACES = 3;

export interface TimelineResults {
  pages: number;
  concurrency: number;
  latencyMs: number;
  /** Wall time of the drawn run. */
  ms: number;
  events: TraceEvent[];
  /** When the last page's body ended, and when the PUT started and ended (ms from the start). */
  lastPageEndMs: number;
  putStartMs: number;
  putEndMs: number;
}

export async function benchTimeline(concurrency: number): Promise<TimelineResults> {
  const api = await startFakeCoingecko({
    latencyMs: LATENCY_MS,
    catalogue: TIMELINE_PAGES * PER_PAGE,
  });
  const s3 = await startS3Server([BUCKET]);
  const worker = await startWorker<PipelineWorkerReady, PipelineRunResult>("pipelineChild.ts", [
    "ours",
    String(TIMELINE_PAGES),
    String(concurrency),
    api.baseUrl,
    s3.endpoint,
    BUCKET,
  ]);
  try {
    await worker.request("run bench/timeline-warmup.json");
    const traces: PipelineRunResult[] = [];
    for (let i = 0; i < TRACES; i += 1) {
      traces.push(await worker.request(`trace bench/timeline-${i}.json`));
    }
    const drawn = [...traces].sort((a, b) => a.ms - b.ms)[Math.floor(TRACES / 2)];
    const events = drawn.events ?? [];
    const gets = events.filter((e) => e.label.startsWith("GET"));
    const put = events.find((e) => e.label === "PutObjectCommand");
    if (
      gets.length !== TIMELINE_PAGES ||
      !put ||
      !events.some((e) => e.label === "HeadObjectCommand")
    ) {
      throw new Error(
        `The traced run did not make ${TIMELINE_PAGES} GETs, one HEAD and one PUT: ${events.map((e) => e.label).join(", ")}.`,
      );
    }
    const result: TimelineResults = {
      pages: TIMELINE_PAGES,
      concurrency,
      latencyMs: LATENCY_MS,
      ms: drawn.ms,
      events,
      lastPageEndMs: Math.max(...gets.map((e) => e.endMs)),
      putStartMs: put.startMs,
      putEndMs: put.endMs,
    };
    progress(
      `timeline, ${TIMELINE_PAGES} pages at concurrency ${concurrency}: last page ${Math.round(result.lastPageEndMs)} ms, PUT ${Math.round(result.putStartMs)}–${Math.round(result.putEndMs)} ms, run ${Math.round(result.ms)} ms (runs: ${traces.map((t) => Math.round(t.ms)).join(", ")} ms)`,
    );
    return result;
  } finally {
    await worker.stop();
    await s3.stop();
    await api.stop();
  }
}

/** The timeline as a small SVG: one lane per request, the gap after the last page marked. */
export function renderTimelineSvg(t: TimelineResults): string {
  const width = 760;
  const left = 110;
  const right = 20;
  const top = 50;
  const lane = 20;
  const colors: Record<string, string> = { GET: "#4f81bd", HEAD: "#9bbb59", PUT: "#c0504d" };
  const kind = (label: string) =>
    label.startsWith("GET") ? "GET" : label.startsWith("Head") ? "HEAD" : "PUT";
  const name = (label: string) =>
    label.replace("HeadObjectCommand", "HEAD").replace("PutObjectCommand", "PUT");
  const order = [...t.events].sort((a, b) => a.startMs - b.startMs);
  const span = Math.max(t.ms, ...order.map((e) => e.endMs));
  const x = (ms: number) => left + (ms / span) * (width - left - right);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts: string[] = [
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(`One snapshot of ${t.pages} pages at concurrency ${t.concurrency} (${t.latencyMs} ms per API request): ${Math.round(t.ms)} ms`)}</text>`,
    `<text x="10" y="36" font-size="11" fill="#555">${esc("Bars: each request from its start to its answer's last byte. Formatting and hashing run between them, on arrival.")}</text>`,
  ];
  const bottom = top + order.length * lane;
  for (let ms = 0; ms <= span; ms += 100) {
    parts.push(
      `<line x1="${x(ms).toFixed(1)}" y1="${top - 4}" x2="${x(ms).toFixed(1)}" y2="${bottom}" stroke="#eee"/>`,
      `<text x="${x(ms).toFixed(1)}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#555">${ms}</text>`,
    );
  }
  parts.push(
    `<text x="${(width - right).toFixed(1)}" y="${bottom + 28}" font-size="10" text-anchor="end" fill="#555">ms from the start of runSnapshot</text>`,
  );
  order.forEach((e, i) => {
    const y = top + i * lane;
    parts.push(
      `<text x="${left - 8}" y="${y + 13}" font-size="11" text-anchor="end">${esc(name(e.label))}</text>`,
      `<rect x="${x(e.startMs).toFixed(1)}" y="${y + 3}" width="${Math.max(1, x(e.endMs) - x(e.startMs)).toFixed(1)}" height="${lane - 6}" fill="${colors[kind(e.label)]}"><title>${esc(`${name(e.label)}: ${Math.round(e.startMs)}–${Math.round(e.endMs)} ms`)}</title></rect>`,
    );
  });
  // The part of the run that waits on nothing but this process: last page's end to the PUT's start.
  parts.push(
    `<line x1="${x(t.lastPageEndMs).toFixed(1)}" y1="${top - 4}" x2="${x(t.lastPageEndMs).toFixed(1)}" y2="${bottom}" stroke="#333" stroke-dasharray="3,3"/>`,
    `<text x="${left}" y="${bottom + 28}" font-size="10">${esc(`dashed: last page in at ${Math.round(t.lastPageEndMs)} ms; the PUT starts ${Math.round(t.putStartMs - t.lastPageEndMs)} ms later`)}</text>`,
  );
  const height = bottom + 40;
  return svgDocument(width, height, parts);
}
