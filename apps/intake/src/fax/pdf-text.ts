import { Worker } from 'node:worker_threads';

export interface PdfText {
  pages: number;
  /** The text layer, trimmed; empty for a scanned (image-only) fax. */
  text: string;
}

const TIMEOUT_MS = 20_000;
const MAX_TEXT_CHARS = 50_000;

// Runs in a worker thread as plain CommonJS: pdf.js loads its own worker module with a native dynamic
// import there, which works in Node and under jest alike, and an untrusted PDF that hangs or balloons
// is cut off by the timeout and the heap limit instead of taking the intake process with it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { PDFParse } = require(workerData.module);
  const parser = new PDFParse({ data: new Uint8Array(workerData.data), verbosity: 0, stopAtErrors: false });
  try {
    const result = await parser.getText({ pageJoiner: '' });
    parentPort.postMessage({ ok: true, pages: result.total, text: result.text });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  } finally {
    await parser.destroy().catch(() => undefined);
  }
})();
`;

type WorkerAnswer = { ok: true; pages: number; text: string } | { ok: false; error: string };

/** Page count and text layer of a PDF, read by pdf-parse in an isolated worker with a timeout. */
export async function readPdf(data: Buffer): Promise<PdfText> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve('pdf-parse'), data },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
    stdout: true,
    stderr: true,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await new Promise<WorkerAnswer>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`reading the PDF took longer than ${TIMEOUT_MS / 1000} s`)),
        TIMEOUT_MS,
      );
      worker.once('message', (m: WorkerAnswer) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the PDF reader stopped (exit code ${code})`)));
    });
    if (!answer.ok) throw new Error(`unreadable PDF: ${answer.error}`);
    return {
      pages: answer.pages,
      text: answer.text
        .replace(/[ \t]+\n/g, '\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim()
        .slice(0, MAX_TEXT_CHARS),
    };
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
