/** A news outlet. `domain` is its stable key: real files spell the same outlet's name several ways. */
export interface Provider {
  name: string;
  domain: string;
  /** A valid http(s) URL, or null. */
  iconUrl: string | null;
}

export interface ArticleImage {
  /** A valid http(s) URL. */
  url: string;
  width: number | null;
  height: number | null;
}

/** Another outlet's coverage of the same story, normalised like an article. */
export interface RelatedCoverage {
  title: string;
  /** A valid http(s) URL, never the article's own. */
  url: string;
  provider: Provider | null;
  publishedAt: Date | null;
  quality: number | null;
}

/** One article as the bot uses it: cleaned, validated, and holding nothing it does not need. */
export interface Article {
  /** Stable across restarts and files: derived from the URL. */
  id: string;
  /** Path of the file it came from, relative to the content folder (for log lines and live updates). */
  sourcePath: string;
  title: string;
  excerpt: string;
  /** A valid http(s) URL (webUrl, else originalUrl). */
  url: string;
  publishedAt: Date;
  quality: number | null;
  heat: number | null;
  /** A missing flag counts as published, as the source sites do. */
  published: boolean;
  provider: Provider;
  topics: string[];
  image: ArticleImage | null;
  type: string;
  related: RelatedCoverage[];
}
