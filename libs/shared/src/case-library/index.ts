export * from './case-search-index';
export * from './case-search';
