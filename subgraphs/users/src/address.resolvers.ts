import { requireViewer } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { AddressService } from './address.service.js';
import { signedIn } from './context.js';

/** The address-book mutations. Addresses are read through `User.addresses`. */
export function addressResolvers(addresses: AddressService): Resolvers {
  return {
    Mutation: {
      addAddress: (_parent, { input }, ctx) => addresses.addAddress(ctx.em, signedIn(ctx), input),
      updateAddress: (_parent, { id, input }, ctx) =>
        addresses.updateAddress(ctx.em, requireViewer(ctx.viewer).id, id, input),
      setDefaultAddress: (_parent, { id }, ctx) =>
        addresses.setDefaultAddress(ctx.em, requireViewer(ctx.viewer).id, id),
      removeAddress: (_parent, { id }, ctx) =>
        addresses.removeAddress(ctx.em, requireViewer(ctx.viewer).id, id),
    },
  };
}
