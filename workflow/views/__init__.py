"""The portal's pages; thin: permission, form, one service call, redirect."""
