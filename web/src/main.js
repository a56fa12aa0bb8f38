import { createApp } from 'vue';
import 'vant/es/toast/style';
import 'vant/es/dialog/style';
import 'vant/es/notify/style';
import 'vant/es/image-preview/style';
import './style.css';
import './fontsize';
import App from './App.vue';
import { router } from './router';
import { loadSession } from './session';

loadSession().then(() => {
  createApp(App).use(router).mount('#app');
});
