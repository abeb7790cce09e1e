import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';

@Module({})
export class IntakeModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: IntakeModule, imports: [CoreModule.forRoot('intake', config)] };
  }
}
