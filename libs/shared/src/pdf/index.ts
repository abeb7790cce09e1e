export * from './a4-pdf';
