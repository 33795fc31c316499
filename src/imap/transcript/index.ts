/** Transcripts: the file format and the session recorder (docs/transcripts.md). */
export { escapeBytes, formatTranscript, parseTranscript, sideBytes, unescapeBytes } from './format.js';
export type { Transcript, TranscriptRecord, TranscriptSide } from './format.js';
export { createTranscriptRecorder, type TranscriptRecorder, type TranscriptSink } from './recorder.js';
