export { DEFAULT_BOUNCE_PATTERNS, type DefaultBouncePattern } from './bouncePatterns.js';
export { DEFAULT_ISPS, type DefaultIsp } from './isps.js';
export { SHIPPED_DEFAULTS, type DefaultsRelease } from './release.js';
