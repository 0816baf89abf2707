// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title PreviewProbe
/// @notice Test-only account that reads a vault's preview and then calls the matching entry
/// point in the same transaction (same block time, same pending fees), so a test can check
/// ERC-4626's "preview equals what the entry point does" exactly.
contract PreviewProbe {
    event Compared(uint256 preview, uint256 actual);

    function approve(IERC20 token, address spender) external {
        token.approve(spender, type(uint256).max);
    }

    function deposit(IERC4626 vault, uint256 assets) external {
        uint256 preview = vault.previewDeposit(assets);
        emit Compared(preview, vault.deposit(assets, address(this)));
    }

    function mint(IERC4626 vault, uint256 shares) external {
        uint256 preview = vault.previewMint(shares);
        emit Compared(preview, vault.mint(shares, address(this)));
    }

    function withdraw(IERC4626 vault, uint256 assets) external {
        uint256 preview = vault.previewWithdraw(assets);
        emit Compared(preview, vault.withdraw(assets, address(this), address(this)));
    }

    function redeem(IERC4626 vault, uint256 shares) external {
        uint256 preview = vault.previewRedeem(shares);
        emit Compared(preview, vault.redeem(shares, address(this), address(this)));
    }
}
