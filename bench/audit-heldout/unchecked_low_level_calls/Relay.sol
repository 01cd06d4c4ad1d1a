pragma solidity ^0.5.17;

contract Relay {
    address public owner;

    constructor() public {
        owner = msg.sender;
    }

    function relay(address target, bytes calldata data) external {
        require(msg.sender == owner);
        target.call(data); // VULN
    }

    function refund(address payable to, uint256 amount) external {
        require(msg.sender == owner);
        to.send(amount); // VULN
    }

    function tryCall(address target) external returns (bool) {
        (bool ok, ) = target.call(""); // VULN
        return true;
    }
}
