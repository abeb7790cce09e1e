import 'reflect-metadata';
import { bootstrap } from '@kefu/shared';
import { notifierApp } from './notifier.app';

void bootstrap(notifierApp);
