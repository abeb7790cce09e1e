export * from './report-figures';
export * from './report-periods';
export * from './report-data';
export * from './report-sections';
export * from './report-xlsx';
export * from './report-pdf';
export * from './report-store';
