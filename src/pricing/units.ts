// The units a price can be given in, as genai-prices names its price keys
// ("input_mtok", "requests_kcount", ...), and how each becomes a line of an
// itemized cost. A unit with a `parent` is a more specific part of it (audio
// input tokens are input tokens): when a model prices the part apart, its
// quantity is taken out of the parent's line, as genai-prices does; when it
// does not, the part stays in the parent's line at the parent's rate.

/** What the caller counts; every quantity is per request. */
export type UsageKey =
  | 'input_tokens'
  | 'cached_input_tokens'
  | 'cache_write_tokens'
  | 'input_audio_tokens'
  | 'input_image_tokens'
  | 'input_video_tokens'
  | 'output_tokens'
  | 'reasoning_tokens'
  | 'citation_tokens'
  | 'output_audio_tokens'
  | 'output_image_tokens'
  | 'output_video_tokens'
  | 'web_searches'
  | 'file_searches'
  | 'text_messages'
  | 'requests';

export interface UnitSpec {
  /** genai-prices' price key. */
  key: string;
  /** Stable machine name of the cost line. */
  item: string;
  label: string;
  /** What `quantity` counts. */
  unit: 'tokens' | 'requests' | 'searches' | 'messages';
  /** The price is per this many units: 1,000,000 for tokens, 1,000 for counts. */
  per: number;
  usage: UsageKey;
  /** Price key of the unit this one is a part of. */
  parent?: string;
}

/** Every unit we price, in the order its line is shown. */
export const UNITS: readonly UnitSpec[] = [
  { key: 'input_mtok', item: 'input', label: 'Input tokens', unit: 'tokens', per: 1_000_000, usage: 'input_tokens' },
  {
    key: 'input_audio_mtok',
    item: 'input_audio',
    label: 'Audio input tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'input_audio_tokens',
    parent: 'input_mtok',
  },
  {
    key: 'input_image_mtok',
    item: 'input_image',
    label: 'Image input tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'input_image_tokens',
    parent: 'input_mtok',
  },
  {
    key: 'input_video_mtok',
    item: 'input_video',
    label: 'Video input tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'input_video_tokens',
    parent: 'input_mtok',
  },
  {
    key: 'cache_read_mtok',
    item: 'cached_input',
    label: 'Cached input tokens (cache reads)',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'cached_input_tokens',
    parent: 'input_mtok',
  },
  {
    key: 'cache_write_mtok',
    item: 'cache_write',
    label: 'Cache writes',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'cache_write_tokens',
    parent: 'input_mtok',
  },
  { key: 'output_mtok', item: 'output', label: 'Output tokens', unit: 'tokens', per: 1_000_000, usage: 'output_tokens' },
  {
    key: 'output_reasoning_mtok',
    item: 'reasoning',
    label: 'Reasoning tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'reasoning_tokens',
    parent: 'output_mtok',
  },
  {
    key: 'output_citation_mtok',
    item: 'citation',
    label: 'Citation tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'citation_tokens',
    parent: 'output_mtok',
  },
  {
    key: 'output_audio_mtok',
    item: 'output_audio',
    label: 'Audio output tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'output_audio_tokens',
    parent: 'output_mtok',
  },
  {
    key: 'output_image_mtok',
    item: 'output_image',
    label: 'Image output tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'output_image_tokens',
    parent: 'output_mtok',
  },
  {
    key: 'output_video_mtok',
    item: 'output_video',
    label: 'Video output tokens',
    unit: 'tokens',
    per: 1_000_000,
    usage: 'output_video_tokens',
    parent: 'output_mtok',
  },
  { key: 'requests_kcount', item: 'request_fee', label: 'Per-request fee', unit: 'requests', per: 1_000, usage: 'requests' },
  { key: 'web_searches_kcount', item: 'web_search', label: 'Web searches', unit: 'searches', per: 1_000, usage: 'web_searches' },
  { key: 'storage_searches_kcount', item: 'file_search', label: 'File searches', unit: 'searches', per: 1_000, usage: 'file_searches' },
  {
    key: 'input_text_messages_kcount',
    item: 'text_messages',
    label: 'Text messages',
    unit: 'messages',
    per: 1_000,
    usage: 'text_messages',
  },
];

/**
 * Keys priced in units no token estimate can count (audio hours, document pages) and the cache reads of
 * audio or images (a join of two parts): a model priced only in these is left out of the catalog; a model
 * that also has them gets a note.
 */
export const UNMODELLED_KEYS: ReadonlySet<string> = new Set([
  'audio_hours',
  'input_audio_hours',
  'input_document_kpages',
  'input_annotated_document_kpages',
  'cache_audio_read_mtok',
  'cache_image_read_mtok',
]);

/** The one-hour cache-write price: chosen with cache_write_ttl "1h" instead of cache_write_mtok. */
export const CACHE_WRITE_1H_KEY = 'cache_write_1h_mtok';

export const UNIT_BY_KEY: ReadonlyMap<string, UnitSpec> = new Map(UNITS.map((u) => [u.key, u]));

/** Token units, the ones a batch, service-tier or regional factor scales. */
export function isTokenKey(key: string): boolean {
  return key.endsWith('_mtok');
}
