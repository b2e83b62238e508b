import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionContext } from './account/use-session';
import { createStorefront } from './app/apollo';
import { App } from './app/app';
import './styles.css';

const storefront = createStorefront();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionContext value={storefront}>
      <ApolloProvider client={storefront.client}>
        <App />
      </ApolloProvider>
    </SessionContext>
  </StrictMode>,
);
