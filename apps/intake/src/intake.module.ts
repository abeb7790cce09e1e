import { Module, type DynamicModule } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@kefu/shared';
import { StaffModule } from './staff/staff.module';

@Module({})
export class IntakeModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: IntakeModule, imports: [CoreModule.forRoot('intake', config), StaffModule] };
  }
}
