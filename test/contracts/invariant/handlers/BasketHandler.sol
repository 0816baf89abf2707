// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IIndexVault} from "../../../../contracts/interfaces/IIndexVault.sol";
import {MockAggregatorV3} from "../../../../contracts/mocks/MockAggregatorV3.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {IndexVault} from "../../../../contracts/vault/IndexVault.sol";
import {OrderBuilder} from "../../utils/OrderBuilder.sol";
import {VM} from "../../utils/Vm.sol";
import {Ghost} from "./Ghost.sol";

/// @title BasketHandler
/// @notice Governance edits of the basket: adds a fifth asset or ARB back through the real
/// timelock (schedule, wait the delay with the feeds re-stamped, execute) and removes either
/// while the vault holds none of it (ARB when the keeper's orders emptied it; removing ARB with
/// the fifth asset registered moves the last record into the freed index). Records whether an
/// edit moved NAV, share supply or any other asset's held balance.
contract BasketHandler {
    IndexVault public immutable vault;
    Ghost public immutable ghost;
    address public immutable admin;
    MockERC20 public immutable extra;
    MockAggregatorV3 public immutable extraFeed;
    address[2] internal tokens;
    IIndexVault.OracleConfig[2] internal oracles;
    MockAggregatorV3[] internal feeds;

    /// @notice An add or remove changed NAV, supply, or another asset's held balance.
    bool public editMovedAccounts;
    uint256 public adds;
    uint256 public removes;
    uint256 public calls;

    /// @param arbOracle ARB's oracle configuration as registered (it is re-added with it).
    constructor(
        IndexVault vault_,
        Ghost ghost_,
        address admin_,
        MockAggregatorV3[] memory feeds_,
        address arb,
        IIndexVault.OracleConfig memory arbOracle
    ) {
        vault = vault_;
        ghost = ghost_;
        admin = admin_;
        feeds = feeds_;
        extra = new MockERC20("Chainlink", "LINK", 18);
        extraFeed = new MockAggregatorV3(8, "LINK / USD", 15e8);
        feeds.push(extraFeed);
        tokens = [address(extra), arb];
        oracles[0] = IIndexVault.OracleConfig({feed: address(extraFeed), heartbeat: 1 days, minAnswer: 1e8, maxAnswer: 1_000e8});
        oracles[1] = arbOracle;
    }

    function add(uint256 which) external {
        ghost.observe();
        ++calls;
        uint256 k = which % 2;
        address token = tokens[k];
        if (_registered(token)) return;
        bytes memory data = abi.encodeCall(
            IIndexVault.addAsset, (token, oracles[k], 5_000, OrderBuilder.path(token, vault.asset()))
        );
        VM.prank(admin);
        vault.schedule(data);
        VM.warp(block.timestamp + vault.timelockDelay());
        _refresh();
        (address[] memory before, uint256[] memory heldBefore, uint256 navBefore, uint256 supplyBefore) = _snapshot();
        VM.prank(admin);
        (bool ok,) = address(vault).call(data);
        require(ok, "addAsset failed");
        ++adds;
        if (vault.held(token) != 0) editMovedAccounts = true;
        _compare(before, heldBefore, navBefore, supplyBefore);
        ghost.observe();
    }

    function remove(uint256 which) external {
        ghost.observe();
        ++calls;
        address token = tokens[which % 2];
        if (!_registered(token) || vault.held(token) != 0) return;
        (address[] memory before, uint256[] memory heldBefore, uint256 navBefore, uint256 supplyBefore) = _snapshot();
        VM.prank(admin);
        vault.removeAsset(token);
        ++removes;
        _compare(before, heldBefore, navBefore, supplyBefore);
        ghost.observe();
    }

    function _snapshot()
        internal
        view
        returns (address[] memory list, uint256[] memory held, uint256 nav, uint256 supply)
    {
        list = vault.assets();
        held = new uint256[](list.length);
        for (uint256 i; i < list.length; ++i) {
            held[i] = vault.held(list[i]);
        }
        // type(uint256).max marks an unpriced NAV (totalAssets then falls back to the buffer).
        nav = _priced() ? vault.totalAssets() : type(uint256).max;
        supply = vault.totalSupply();
    }

    /// @dev Prices usable (conversions return 0 in an outage, and do not depend on the pause).
    function _priced() internal view returns (bool) {
        return vault.convertToShares(1e6) != 0;
    }

    /// @dev Every asset registered before and after keeps its held balance; NAV and supply stay.
    function _compare(address[] memory before, uint256[] memory heldBefore, uint256 navBefore, uint256 supplyBefore)
        internal
    {
        for (uint256 i; i < before.length; ++i) {
            if (_registered(before[i]) && vault.held(before[i]) != heldBefore[i]) editMovedAccounts = true;
        }
        if (vault.totalSupply() != supplyBefore) editMovedAccounts = true;
        // NAV is comparable when both reads were priced.
        if (navBefore != type(uint256).max && _priced() && vault.totalAssets() != navBefore) editMovedAccounts = true;
    }

    function _registered(address token) internal view returns (bool) {
        address[] memory list = vault.assets();
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == token) return true;
        }
        return false;
    }

    function _refresh() internal {
        for (uint256 i; i < feeds.length; ++i) {
            (, int256 answer,,,) = feeds[i].latestRoundData();
            feeds[i].setAnswer(answer);
        }
    }
}
